/// A snapshot of an incident as the API, the store and the CLI see it (SPEC §8).
public struct Incident: Sendable, Hashable {
    /// Where the escalation policy stands.
    public struct Escalation: Sendable, Hashable {
        public var policy: String
        /// The next step to fire, or nil when the policy has run out.
        public var step: Int?
        public var round: Int
        /// When the next step is due; nil while paused (acknowledged) or finished.
        public var nextAt: Timestamp?

        public init(policy: String, step: Int?, round: Int, nextAt: Timestamp?) {
            self.policy = policy
            self.step = step
            self.round = round
            self.nextAt = nextAt
        }
    }

    public var number: Int
    public var title: String
    public var kind: IncidentKind
    public var state: IncidentState
    public var impact: Impact
    public var urgency: Urgency
    public var priority: Priority
    public var rule: String
    public var groupKey: String
    /// The labels all its alerts share.
    public var labels: Labels
    public var alerts: Int
    public var events: Int
    public var flapping: Bool
    public var escalation: Escalation?
    public var openedAt: Timestamp
    public var acknowledgedAt: Timestamp?
    public var acknowledgedBy: String?
    public var resolvedAt: Timestamp?
    public var closedAt: Timestamp?
    /// Every firing alert is muted by a silence or a maintenance window (SPEC §11): its escalation waits.
    public var silenced: Bool

    public init(
        number: Int, title: String, kind: IncidentKind, state: IncidentState, impact: Impact, urgency: Urgency,
        priority: Priority, rule: String, groupKey: String, labels: Labels, alerts: Int, events: Int,
        flapping: Bool, escalation: Escalation?, openedAt: Timestamp, acknowledgedAt: Timestamp? = nil,
        acknowledgedBy: String? = nil, resolvedAt: Timestamp? = nil, closedAt: Timestamp? = nil,
        silenced: Bool = false
    ) {
        self.silenced = silenced
        self.number = number
        self.title = title
        self.kind = kind
        self.state = state
        self.impact = impact
        self.urgency = urgency
        self.priority = priority
        self.rule = rule
        self.groupKey = groupKey
        self.labels = labels
        self.alerts = alerts
        self.events = events
        self.flapping = flapping
        self.escalation = escalation
        self.openedAt = openedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
    }

    /// `INC-42`.
    public var id: String { Incident.id(number) }

    public static func id(_ number: Int) -> String { "INC-\(number)" }

    /// Parses `INC-42` (or a bare `42`).
    public static func number(from id: String) -> Int? {
        let digits = id.hasPrefix("INC-") ? id.dropFirst(4) : Substring(id)
        guard let n = Int(digits), n > 0 else { return nil }
        return n
    }
}

/// One alert (a fingerprint) as it belongs to an incident.
public struct AlertSnapshot: Sendable, Hashable {
    public var fingerprint: Fingerprint
    public var incident: Int?
    public var labels: Labels
    public var annotations: Labels
    public var status: EventStatus
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var events: Int
    public var suppressed: Bool

    public init(
        fingerprint: Fingerprint, incident: Int?, labels: Labels, annotations: Labels, status: EventStatus,
        firstSeen: Timestamp, lastSeen: Timestamp, events: Int, suppressed: Bool
    ) {
        self.fingerprint = fingerprint
        self.incident = incident
        self.labels = labels
        self.annotations = annotations
        self.status = status
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.events = events
        self.suppressed = suppressed
    }
}

/// One line of an incident's history: what happened, when, and which rule or person made it happen.
public struct TimelineEntry: Sendable, Hashable {
    public var at: Timestamp
    /// `opened`, `grouped`, `suppressed`, `classified`, `priority`, `escalated`, `acknowledged`, ...
    public var type: String
    public var detail: String

    public init(at: Timestamp, type: String, detail: String) {
        self.at = at
        self.type = type
        self.detail = detail
    }
}

/// "Notify N for step S round R" (or "tell N the incident was acknowledged"): a message the delivery layer
/// must send exactly once.
public struct Notification: Sendable, Hashable {
    public var incident: Int
    public var notifier: String
    public var policy: String
    public var step: Int
    public var round: Int
    /// When the step was due (event time); delivery is at or after this.
    public var due: Timestamp
    /// The lifecycle moment (`open`, `ack`, `resolve`, `reopen`, `close`) a notifier's `on:` asked for; nil
    /// for an escalation step.
    public var moment: String?
    /// The person paged, when the step named `user:NAME` or `schedule:NAME` (SPEC §12).
    public var user: String?

    public init(
        incident: Int, notifier: String, policy: String, step: Int, round: Int, due: Timestamp, moment: String? = nil,
        user: String? = nil
    ) {
        self.user = user
        self.incident = incident
        self.notifier = notifier
        self.policy = policy
        self.step = step
        self.round = round
        self.due = due
        self.moment = moment
    }

    /// `INC-7/1/0`: SPEC §7's idempotency key; a notifier is never sent the same key twice. A lifecycle
    /// message is keyed by its moment and time (`INC-7/ack/1732430000000000`): an incident can be acknowledged
    /// more than once, and a replay after a restart reproduces the same time, so the outbox drops the repeat.
    public var idempotencyKey: String {
        if let moment { return "\(Incident.id(incident))/\(moment)/\(due.microseconds)" }
        return "\(Incident.id(incident))/\(step)/\(round)"
    }
}
