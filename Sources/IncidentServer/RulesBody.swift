import IncidentCore

/// `GET /api/v1/rules`: `{"since": RFC 3339, "rules": [rule, ...], "other_activity": [activity, ...]}`.
///
/// Each rule, in evaluation order: `name`, `location` (`file:line`), `kind`, `matchers` (as written),
/// `group_by` (null: all labels), `drop`, `continue`, `escalation` (policy names), `correlation_groups` and
/// `activity` since `since`: `incidents`, `events`, `alerts`, `last_incident_at` (null when none).
/// `other_activity` holds the same figures with a `rule` name for incidents of rules no longer loaded (and
/// `reported` ones), so that nothing counted is hidden.
struct RulesBody: Encodable, Sendable {
    var since: String
    var rules: [Entry]
    var otherActivity: [Activity]

    enum CodingKeys: String, CodingKey {
        case since, rules
        case otherActivity = "other_activity"
    }

    init(since: Timestamp, rules: [RuleSummary], activity: [RuleActivity]) {
        self.since = since.rfc3339
        let byRule = Dictionary(activity.map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        self.rules = rules.map { Entry(rule: $0, activity: Activity(byRule[$0.name] ?? .none($0.name))) }
        let loaded = Set(rules.map(\.name))
        otherActivity = activity.filter { !loaded.contains($0.rule) }.map(Activity.init)
    }

    /// One loaded rule and what it did.
    struct Entry: Encodable, Sendable {
        var rule: RuleSummary
        var activity: Activity

        enum CodingKeys: String, CodingKey {
            case name, location, kind, matchers, drop, escalation, activity
            case groupBy = "group_by"
            case continues = "continue"
            case correlationGroups = "correlation_groups"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rule.name, forKey: .name)
            try c.encode(rule.location, forKey: .location)
            try c.encode(rule.kind, forKey: .kind)
            try c.encode(rule.matchers, forKey: .matchers)
            try c.encode(rule.groupBy, forKey: .groupBy)
            try c.encode(rule.drop, forKey: .drop)
            try c.encode(rule.continues, forKey: .continues)
            try c.encode(rule.escalation, forKey: .escalation)
            try c.encode(rule.correlationGroups, forKey: .correlationGroups)
            try c.encode(activity, forKey: .activity)
        }
    }

    /// A rule's figures, times as RFC 3339.
    struct Activity: Encodable, Sendable {
        var rule: String
        var incidents: Int
        var events: Int
        var alerts: Int
        var lastIncidentAt: String?

        init(_ activity: RuleActivity) {
            rule = activity.rule
            incidents = activity.incidents
            events = activity.events
            alerts = activity.alerts
            lastIncidentAt = activity.lastOpenedAt?.rfc3339
        }

        enum CodingKeys: String, CodingKey {
            case rule, incidents, events, alerts
            case lastIncidentAt = "last_incident_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rule, forKey: .rule)
            try c.encode(incidents, forKey: .incidents)
            try c.encode(events, forKey: .events)
            try c.encode(alerts, forKey: .alerts)
            try c.encode(lastIncidentAt, forKey: .lastIncidentAt)
        }
    }
}
