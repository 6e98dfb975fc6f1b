import IncidentCore

/// A person escalation can reach (SPEC §12): `users:` in a rule file.
public struct Person: Sendable {
    public var name: String
    /// Notifier names from the configuration, all notified when this person is paged.
    public var notify: [String]
    /// IANA time zone name, for display; nil when not given.
    public var timezone: String?
    public var location: SourceLocation

    public init(name: String, notify: [String], timezone: String? = nil, location: SourceLocation) {
        self.name = name
        self.notify = notify
        self.timezone = timezone
        self.location = location
    }
}

/// An on-call schedule (SPEC §12): a rotation of users with a shift length and handoff time in a time zone,
/// plus overrides.
public struct OnCallSchedule: Sendable {
    public var name: String
    /// IANA time zone name the handoff and override times are in.
    public var timezone: String
    public var location: SourceLocation

    public init(name: String, timezone: String, location: SourceLocation) {
        self.name = name
        self.timezone = timezone
        self.location = location
    }

    /// The shift covering `time` (an override wins over the rotation); nil before the rotation starts.
    public func shift(at time: Timestamp) -> OnCallShift? {
        nil
    }

    /// The shift after the one covering `time` (the next handoff), for "on call next".
    public func nextShift(after time: Timestamp) -> OnCallShift? {
        nil
    }
}

/// A recurring maintenance window (SPEC §11): `maintenance:` in a rule file. Alerts its matchers select are
/// silenced while a window is open.
public struct MaintenanceWindow: Sendable {
    public var name: String
    public var matchers: [Matcher]
    public var timezone: String
    public var location: SourceLocation

    public init(name: String, matchers: [Matcher], timezone: String, location: SourceLocation) {
        self.name = name
        self.matchers = matchers
        self.timezone = timezone
        self.location = location
    }

    /// The occurrence open at `time` (start inclusive, end exclusive), nil when none is.
    public func occurrence(at time: Timestamp) -> (start: Timestamp, end: Timestamp)? {
        nil
    }

    /// The first occurrence boundary (a start or an end) strictly after `time`; nil when there is none.
    public func nextBoundary(after time: Timestamp) -> Timestamp? {
        nil
    }

    /// Whether an alert's labels are selected by every matcher.
    public func selects(_ labels: Labels) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.name]) }
    }
}
