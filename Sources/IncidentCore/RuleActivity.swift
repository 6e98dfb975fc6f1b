/// What one rule did in a period: the incidents it opened and the events and alerts they hold (for the rules
/// page of the console, SPEC §14).
///
/// Counted over the incidents opened in the period, so the events and alerts are those of these incidents,
/// also the ones that arrived after the period began; a rule that opened nothing has no activity.
public struct RuleActivity: Sendable, Hashable {
    /// The rule's name as incidents record it (`reported` for incidents people logged).
    public var rule: String
    /// Incidents opened.
    public var incidents: Int
    /// Events those incidents took in.
    public var events: Int
    /// Alerts those incidents hold.
    public var alerts: Int
    /// When the newest of those incidents opened; nil when there is none.
    public var lastOpenedAt: Timestamp?

    public init(rule: String, incidents: Int, events: Int, alerts: Int, lastOpenedAt: Timestamp?) {
        self.rule = rule
        self.incidents = incidents
        self.events = events
        self.alerts = alerts
        self.lastOpenedAt = lastOpenedAt
    }

    /// No activity: what a loaded rule that opened nothing in the period shows.
    public static func none(_ rule: String) -> RuleActivity {
        RuleActivity(rule: rule, incidents: 0, events: 0, alerts: 0, lastOpenedAt: nil)
    }
}
