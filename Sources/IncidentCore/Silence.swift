/// One matcher of a silence, in Alertmanager's shape (`{name, value, isRegex, isEqual}`).
public struct SilenceMatcher: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var isRegex: Bool
    /// false for `!=` and `!~` (Alertmanager's `isEqual`, default true).
    public var isEqual: Bool

    public init(name: String, value: String, isRegex: Bool = false, isEqual: Bool = true) {
        self.name = name
        self.value = value
        self.isRegex = isRegex
        self.isEqual = isEqual
    }

    /// `name="value"`, `name!~"re"`: Alertmanager's matcher syntax.
    public var text: String {
        let op = isRegex ? (isEqual ? "=~" : "!~") : (isEqual ? "=" : "!=")
        var escaped = ""
        for c in value {
            switch c {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(c)
            }
        }
        return "\(name)\(op)\"\(escaped)\""
    }
}

/// A silence (SPEC §11): mutes the notifications of the alerts its matchers select, from `startsAt` to
/// `endsAt`. Alerts stay recorded and correlated; only escalation waits.
public struct Silence: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending
        case active
        case expired
    }

    /// A UUID in Alertmanager's form (the daemon assigns it; the engine never makes one up).
    public var id: String
    public var matchers: [SilenceMatcher]
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var createdBy: String
    public var comment: String
    public var updatedAt: Timestamp

    public init(
        id: String, matchers: [SilenceMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String,
        comment: String, updatedAt: Timestamp
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.updatedAt = updatedAt
    }

    /// pending before `startsAt`, active until `endsAt`, expired from then on.
    public func state(at time: Timestamp) -> State {
        if time >= endsAt { return .expired }
        if time < startsAt { return .pending }
        return .active
    }
}

/// An alert the engine holds, as Alertmanager's `GET /api/v2/alerts` shows it.
public struct ActiveAlert: Sendable, Hashable {
    public var fingerprint: Fingerprint
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Timestamp
    public var updatedAt: Timestamp
    /// When it resolves by itself if nothing refreshes it; nil when it waits for a resolve.
    public var endsAt: Timestamp?
    public var firing: Bool
    /// The incident holding it.
    public var incident: Int
    /// Ids of the silences (and `maintenance:NAME` windows) muting it now.
    public var silencedBy: [String]
    /// Names of the inhibit rules that joined it to another alert's incident as suppressed.
    public var inhibitedBy: [String]
    public var generatorURL: String?

    public init(
        fingerprint: Fingerprint, labels: Labels, annotations: Labels, startsAt: Timestamp, updatedAt: Timestamp,
        endsAt: Timestamp?, firing: Bool, incident: Int, silencedBy: [String], inhibitedBy: [String],
        generatorURL: String?
    ) {
        self.fingerprint = fingerprint
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.updatedAt = updatedAt
        self.endsAt = endsAt
        self.firing = firing
        self.incident = incident
        self.silencedBy = silencedBy
        self.inhibitedBy = inhibitedBy
        self.generatorURL = generatorURL
    }
}

/// One shift of an on-call schedule (SPEC §12).
public struct OnCallShift: Sendable, Hashable, Codable {
    public var user: String
    public var start: Timestamp
    public var end: Timestamp
    /// From an `overrides:` entry rather than the rotation.
    public var isOverride: Bool

    public init(user: String, start: Timestamp, end: Timestamp, isOverride: Bool) {
        self.user = user
        self.start = start
        self.end = end
        self.isOverride = isOverride
    }
}
