/// One loaded rule as the console's rules page and `GET /api/v1/rules` show it: what it matches and what it does
/// with a match. IncidentRules' `RuleSet.summaries` makes these from the compiled rules.
public struct RuleSummary: Sendable, Hashable {
    public var name: String
    /// `file:line` of the rule.
    public var location: String
    public var kind: IncidentKind
    /// The matchers as written in the rule language (`alertname="HostDown"`).
    public var matchers: [String]
    /// The `group_by` labels; nil when the rule groups by all labels (one incident per alert).
    public var groupBy: [String]?
    /// Whether matching events are counted and discarded.
    public var drop: Bool
    /// Whether matching goes on after this rule (it only adds labels).
    public var continues: Bool
    /// The escalation policies its incidents may follow: the rule's own, else the by-priority ones.
    public var escalation: [String]
    /// The correlation groups (SPEC §13) it belongs to.
    public var correlationGroups: [String]

    public init(
        name: String, location: String, kind: IncidentKind, matchers: [String], groupBy: [String]?, drop: Bool,
        continues: Bool, escalation: [String], correlationGroups: [String]
    ) {
        self.name = name
        self.location = location
        self.kind = kind
        self.matchers = matchers
        self.groupBy = groupBy
        self.drop = drop
        self.continues = continues
        self.escalation = escalation
        self.correlationGroups = correlationGroups
    }
}
