import IncidentCore

/// What a rule makes of one event: the alert's identity, the incident it belongs to and how it is rated.
/// `incidentctl rules explain` prints it; the engine acts on it. One function, so both always agree.
public struct Classification: Sendable {
    public var ruleIndex: Int
    public var rule: Rule
    /// The alert's labels after extraction.
    public var labels: Labels
    public var extracted: Labels
    public var enrichedBy: [String]
    public var fingerprint: Fingerprint
    public var groupKey: String
    public var kind: IncidentKind
    /// Impact of a new incident holding just this alert (a `count_distinct` impact grows later).
    public var impact: Impact
    public var urgency: Urgency
    public var priority: Priority
    public var title: String
}

extension Rule {
    /// The correlation key: the rule name plus the `group_by` labels, or the alert's fingerprint when the
    /// rule groups by all labels (one incident per alert).
    public func groupKey(labels: Labels, fingerprint: Fingerprint) -> String {
        guard let groupBy else { return "\(name)/\(fingerprint)" }
        let parts = groupBy.map { "\($0)=\(quoted(labels[$0] ?? ""))" }
        return "\(name){\(parts.joined(separator: ","))}"
    }

    /// The title for an incident with these labels (the template, else the alert name or message).
    public func renderTitle(labels: Labels, annotations: Labels) -> String {
        if let title { return title.render { labels[$0] ?? annotations[$0] } }
        if let name = labels["alertname"] { return name + (labels["instance"].map { " on \($0)" } ?? "") }
        if let summary = annotations["summary"] { return summary }
        if let message = annotations["message"] {
            let prefix = [labels["host"], labels["identifier"] ?? labels["unit"]].compactMap { $0 }.joined(
                separator: " ")
            let short = message.count > 100 ? String(message.prefix(100)) + "…" : message
            return prefix.isEmpty ? short : "\(prefix): \(short)"
        }
        return "\(name): \(labels)"
    }
}

extension RuleSet {
    /// Classifies an event; nil when no deciding rule matches.
    public func classify(_ event: Event) -> Classification? {
        let match = self.match(event)
        guard let index = match.ruleIndex else { return nil }
        return classify(event, match: match, ruleIndex: index)
    }

    public func classify(_ event: Event, match: Match, ruleIndex index: Int) -> Classification {
        let rule = rules[index]
        let fingerprint = match.labels.fingerprint
        let urgency = rule.urgency ?? Urgency(severity: match.labels["severity"])
        let impact = rule.impact.impact(distinct: 1)
        return Classification(
            ruleIndex: index, rule: rule, labels: match.labels, extracted: match.extracted,
            enrichedBy: match.enrichedBy.map { rules[$0].name }, fingerprint: fingerprint,
            groupKey: rule.groupKey(labels: match.labels, fingerprint: fingerprint), kind: rule.kind, impact: impact,
            urgency: urgency, priority: priorityMatrix.priority(impact: impact, urgency: urgency),
            title: rule.renderTitle(labels: match.labels, annotations: event.annotations))
    }
}
