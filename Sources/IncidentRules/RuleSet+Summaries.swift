import IncidentCore

extension RuleSet {
    /// Every rule in evaluation order, as the console and `GET /api/v1/rules` list them.
    public var summaries: [RuleSummary] {
        // The policies a rule without its own may follow: one per priority, in priority order, each named once.
        var byPriority: [String] = []
        for priority in Priority.allCases.sorted(by: { $0.number < $1.number }) {
            if let name = escalationByPriority[priority], !byPriority.contains(name) { byPriority.append(name) }
        }
        if escalationByPriority.isEmpty, policies["default"] != nil { byPriority = ["default"] }
        return rules.map { rule in
            RuleSummary(
                name: rule.name, location: "\(rule.location.file):\(rule.location.line)", kind: rule.kind,
                matchers: rule.matchers.map(\.description), groupBy: rule.groupBy, drop: rule.drop,
                continues: rule.continue,
                escalation: rule.drop ? [] : rule.escalation.map { [$0] } ?? byPriority,
                correlationGroups: (correlationOfRule[rule.name] ?? []).map { correlations[$0].name })
        }
    }
}
