import IncidentCore

/// The engine's working record of one alert.
///
/// The stored properties are ordered for size: the one-byte ones last, after the optional timestamp's tag
/// byte, so that they share its padding. That makes 84 bytes (a stride of 88); with the one-byte fields among
/// the others it was 104, and the engine keeps one per active alert (BENCHMARKS.md, issue 16). A checkpoint
/// names each field, so the order it writes them in changes nothing for a reader.
struct AlertRecord: Sendable, Codable {
    /// The Alertmanager fingerprint of its labels (the engine's own key also covers the rule).
    var fingerprint: Fingerprint
    var labels: Labels
    var annotations: Labels
    /// Event time of the last status change; an older event does not change the status back.
    var statusAt: Timestamp
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    var events: Int
    var incident: Int
    /// Silences and windows (`maintenance:NAME`) muting it while it fires; nil when none.
    var silencedBy: [String]?
    /// When the alert resolves by itself if no firing event comes (`resolve_after`).
    var resolveDue: Timestamp?
    var status: EventStatus
    var suppressed: Bool
    var source: EventSource

    init(
        fingerprint: Fingerprint, labels: Labels, annotations: Labels, status: EventStatus, statusAt: Timestamp,
        firstSeen: Timestamp, lastSeen: Timestamp, events: Int, incident: Int, suppressed: Bool,
        source: EventSource, resolveDue: Timestamp?, silencedBy: [String]? = nil
    ) {
        self.fingerprint = fingerprint
        self.labels = labels
        self.annotations = annotations
        self.status = status
        self.statusAt = statusAt
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.events = events
        self.incident = incident
        self.suppressed = suppressed
        self.source = source
        self.resolveDue = resolveDue
        self.silencedBy = silencedBy
    }
}

/// Where an incident's escalation policy stands.
struct EscalationRecord: Sendable, Codable {
    var policy: String
    /// Step offsets are measured from here (moved back when an earlier event joins the first run).
    var base: Timestamp
    /// The earliest the base may move back to: one clamp before the engine's clock when the run started, so an
    /// alert that fired hours before incidentd heard of it does not make every step due at once.
    var floor: Timestamp
    /// The round this run of the policy started at (reopens start a new run with fresh rounds).
    var firstRound: Int
    var step: Int
    var round: Int
    /// Next step due; nil when finished.
    var due: Timestamp?
    /// `while: unacknowledged` steps that fell due while the incident was acknowledged; they fire when the
    /// acknowledgement lapses (`ack_timeout`).
    var held: [HeldStep] = []

    struct HeldStep: Sendable, Codable, Hashable {
        var step: Int
        var round: Int
    }

    var paused: Bool { !held.isEmpty }
}

/// The engine's working record of one incident, until it closes.
struct IncidentRecord: Sendable, Codable {
    var number: Int
    var title: String
    var kind: IncidentKind
    var state: IncidentState
    var impact: Impact
    var urgency: Urgency
    var priority: Priority
    var rule: String
    var groupKey: String
    var labels: Labels
    var alerts: [Fingerprint]
    var firing: Int
    /// How many of the firing alerts are suppressed (joined through an inhibit rule).
    var firingSuppressed: Int = 0
    var events: Int
    var flapping: Bool
    var openedAt: Timestamp
    var lastActivity: Timestamp
    var acknowledgedAt: Timestamp?
    var acknowledgedBy: String?
    var resolvedAt: Timestamp?
    /// Distinct values of the `count_distinct` label, sorted (an array so the state encodes the same every time).
    var distinct: [String]
    var reopens: [Timestamp]
    var escalation: EscalationRecord?
    var ackDue: Timestamp?
    var closeDue: Timestamp?
    var flapDue: Timestamp?
    /// Reported by a person (`incidentctl open`), not opened by alerts.
    var manual: Bool
    /// Every firing alert is muted (SPEC §11); nil when not.
    var silenced: Bool? = nil
    /// The policy was stopped (or never started) because the incident was silenced: it starts when that ends.
    var escalationWaits: Bool? = nil
    /// Index entries pointing here besides its own group key: `c:KEY` in `correlated`, `g:KEY` in `groups` (a
    /// related alert's own group). Removed when it closes.
    var joinedKeys: [String]? = nil
}

/// Events a threshold holds until it is reached.
struct PendingGroup: Sendable, Codable {
    struct Entry: Sendable, Codable {
        var event: Event
        var labels: Labels
        var time: Timestamp
    }

    var rule: String
    private(set) var entries: [Entry]
    var newest: Timestamp
    var due: Timestamp?
    /// For the threshold's distinct label, how many entries hold each of its values, kept as entries come and go so
    /// that each held event does not count the values of every entry again (a flood of one value, as an attacker
    /// retrying one user name sends, made each event cost in proportion to the events held). Not stored: rebuilt
    /// from the entries after a restore, or when the label asked for changes (a reload).
    private var distinct: (label: String, counts: [String: Int])? = nil

    private enum CodingKeys: String, CodingKey { case rule, entries, newest, due }

    init(rule: String, entries: [Entry], newest: Timestamp, due: Timestamp?) {
        (self.rule, self.entries, self.newest, self.due) = (rule, entries, newest, due)
    }

    mutating func append(_ entry: Entry) {
        if let label = distinct?.label { distinct!.counts[entry.labels[label] ?? "", default: 0] += 1 }
        entries.append(entry)
    }

    /// Drops the entries older than `cutoff`; returns how many.
    mutating func expire(before cutoff: Timestamp) -> Int {
        let before = entries.count
        if let label = distinct?.label {
            for i in entries.indices where entries[i].time < cutoff {
                let value = entries[i].labels[label] ?? ""
                let held = distinct!.counts[value] ?? 0
                distinct!.counts[value] = held > 1 ? held - 1 : nil
            }
        }
        entries.removeAll { $0.time < cutoff }
        return before - entries.count
    }

    /// How many distinct values of `label` the entries hold.
    mutating func distinctCount(of label: String) -> Int {
        if distinct?.label != label {
            var counts: [String: Int] = [:]
            for i in entries.indices { counts[entries[i].labels[label] ?? "", default: 0] += 1 }
            distinct = (label, counts)
        }
        return distinct!.counts.count
    }

    /// The oldest entry's time.
    var oldest: Timestamp? {
        guard var oldest = entries.first?.time else { return nil }
        for i in entries.indices where entries[i].time < oldest { oldest = entries[i].time }
        return oldest
    }
}
