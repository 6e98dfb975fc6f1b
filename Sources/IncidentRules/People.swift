import Foundation
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
///
/// Precedence: an override wins over the rotation, and of overlapping overrides the one listed later wins. A
/// shift returned is the stretch one source (a rotation shift or an override) really covers, so a rotation
/// shift an override cuts into comes back clipped, and an override a later one cuts into likewise. Local
/// times follow `TimeZone.instant(localSeconds:)`: a time in the spring-forward gap moves to the first
/// instant after it, an ambiguous one takes its first occurrence.
public struct OnCallSchedule: Sendable {
    public var name: String
    /// IANA time zone name the handoff and override times are in.
    public var timezone: String {
        didSet { zone = TimeZone.named(timezone) ?? .utc }
    }
    public var location: SourceLocation
    /// Who is on call when no override applies; nil for a schedule made of overrides only.
    public var rotation: Rotation?
    /// In file order: a later entry wins where two overlap.
    public var overrides: [Override]
    var zone: TimeZone

    public init(name: String, timezone: String, location: SourceLocation) {
        self.init(name: name, timezone: timezone, rotation: nil, overrides: [], location: location)
    }

    public init(
        name: String, timezone: String, rotation: Rotation?, overrides: [Override] = [], location: SourceLocation
    ) {
        self.name = name
        self.timezone = timezone
        self.location = location
        self.rotation = rotation
        self.overrides = overrides
        zone = TimeZone.named(timezone) ?? .utc
    }

    /// The shift covering `time` (an override wins over the rotation); nil before the rotation starts.
    public func shift(at time: Timestamp) -> OnCallShift? {
        let time = time.clampedToValid
        if let index = overrides.lastIndex(where: { $0.start <= time && time < $0.end }) {
            let chosen = overrides[index]
            var start = chosen.start
            var end = chosen.end
            for later in overrides[(index + 1)...] where later.start < later.end {
                if later.end <= time, later.end > start { start = later.end }
                if later.start > time, later.start < end { end = later.start }
            }
            return OnCallShift(user: chosen.user, start: start, end: end, isOverride: true)
        }
        guard let rotation, !rotation.users.isEmpty, let k = rotation.index(at: time, in: zone) else { return nil }
        var start = rotation.startOfShift(k, in: zone)
        var end = rotation.startOfShift(k + 1, in: zone)
        for override in overrides where override.start < override.end {
            if override.end <= time, override.end > start { start = override.end }
            if override.start > time, override.start < end { end = override.start }
        }
        return OnCallShift(user: rotation.users[k % rotation.users.count], start: start, end: end, isOverride: false)
    }

    /// The shift after the one covering `time` (the next handoff), for "on call next".
    public func nextShift(after time: Timestamp) -> OnCallShift? {
        let time = time.clampedToValid
        var probe = time
        if let current = shift(at: time) {
            probe = current.end
            if let next = shift(at: probe) { return next }
        }
        // Nothing covers `probe`: the next shift is the first that starts after it.
        var starts = overrides.filter { $0.start < $0.end && $0.start > probe }.map(\.start)
        if let rotation, !rotation.users.isEmpty {
            let first = rotation.startOfShift(0, in: zone)
            if first > probe { starts.append(first) }
        }
        return starts.min().flatMap { shift(at: $0) }
    }
}

extension OnCallSchedule {
    /// `rotation:`: users take turns in list order, each for one shift.
    public struct Rotation: Sendable {
        public var users: [String]
        /// Whole days and weeks are local (1w is the same local time 7 days later, 167 or 169 hours across a
        /// daylight-saving change); any other length (12h, 90m) is an absolute duration.
        public var shift: Duration
        /// The weekday of the first handoff; nil to start on `start` itself.
        public var handoffDay: Weekday?
        public var handoffTime: TimeOfDay
        /// The first shift begins at the handoff time on the first `handoffDay` on or after this date.
        public var start: LocalDate

        public init(users: [String], shift: Duration, handoffDay: Weekday?, handoffTime: TimeOfDay, start: LocalDate) {
            self.users = users
            self.shift = shift
            self.handoffDay = handoffDay
            self.handoffTime = handoffTime
            self.start = start
        }

        /// The local day of the first handoff.
        var firstDay: Int {
            guard let handoffDay else { return start.dayNumber }
            return start.dayNumber + ((handoffDay.rawValue - start.weekday.rawValue) % 7 + 7) % 7
        }

        /// The shift length in local days when it is a whole number of them.
        var localDays: Int? {
            let micros = shift.microseconds
            guard micros > 0, micros % 86_400_000_000 == 0 else { return nil }
            return Int(micros / 86_400_000_000)
        }

        /// When shift `k` (0 = the first) begins.
        func startOfShift(_ k: Int, in zone: TimeZone) -> Timestamp {
            if let days = localDays {
                return zone.instant(day: firstDay + k * days, time: handoffTime)
            }
            let first = zone.instant(day: firstDay, time: handoffTime)
            let (offset, overflow) = Int64(k).multipliedReportingOverflow(by: max(shift.microseconds, 1))
            if overflow { return k > 0 ? .distantFuture : .distantPast }
            return first + .microseconds(offset)
        }

        /// The shift covering `time`, nil before the first; computed, not counted.
        func index(at time: Timestamp, in zone: TimeZone) -> Int? {
            var k: Int
            if let days = localDays {
                let day = zone.localDay(at: time)
                k = Int(TimeZone.floorDivide(Int64(day - firstDay), Int64(days)))
            } else {
                let first = zone.instant(day: firstDay, time: handoffTime)
                k = Int(TimeZone.floorDivide((time - first).microseconds, max(shift.microseconds, 1)))
            }
            // The estimate is off by at most one where the handoff time and a time-zone change meet.
            while k >= 0, startOfShift(k, in: zone) > time { k -= 1 }
            while startOfShift(k + 1, in: zone) <= time { k += 1 }
            return k >= 0 ? k : nil
        }
    }

    /// One `overrides:` entry: `user` is on call from `start` to `end` instead of the rotation.
    public struct Override: Sendable, Hashable {
        public var user: String
        public var start: Timestamp
        public var end: Timestamp

        public init(user: String, start: Timestamp, end: Timestamp) {
            self.user = user
            self.start = start
            self.end = end
        }
    }
}

/// A recurring maintenance window (SPEC §11): `maintenance:` in a rule file. Alerts its matchers select are
/// silenced while a window is open.
public struct MaintenanceWindow: Sendable {
    public var name: String
    public var matchers: [Matcher]
    public var timezone: String {
        didSet { zone = TimeZone.named(timezone) ?? .utc }
    }
    public var location: SourceLocation
    /// When it recurs; nil never opens.
    public var every: Recurrence?
    var zone: TimeZone

    public init(name: String, matchers: [Matcher], timezone: String, location: SourceLocation) {
        self.init(name: name, matchers: matchers, every: nil, timezone: timezone, location: location)
    }

    public init(
        name: String, matchers: [Matcher], every: Recurrence?, timezone: String, location: SourceLocation
    ) {
        self.name = name
        self.matchers = matchers
        self.timezone = timezone
        self.location = location
        self.every = every
        zone = TimeZone.named(timezone) ?? .utc
    }

    /// The occurrence open at `time` (start inclusive, end exclusive), nil when none is.
    public func occurrence(at time: Timestamp) -> (start: Timestamp, end: Timestamp)? {
        let time = time.clampedToValid
        guard let every else { return nil }
        let day = zone.localDay(at: time)
        // An occurrence ends at most one local day after it starts; a day either way more covers time-zone
        // changes at midnight.
        for candidate in (day - 2)...(day + 1) {
            if let (start, end) = every.occurrence(onDay: candidate, in: zone), start <= time, time < end {
                return (start, end)
            }
        }
        return nil
    }

    /// The first occurrence boundary (a start or an end) strictly after `time`; nil when there is none.
    public func nextBoundary(after time: Timestamp) -> Timestamp? {
        let time = time.clampedToValid
        guard let every else { return nil }
        let day = zone.localDay(at: time)
        // Weekly windows recur within 7 days; a spring-forward gap can swallow one, so look two weeks ahead.
        var best: Timestamp?
        for candidate in (day - 2)...(day + 15) {
            guard let (start, end) = every.occurrence(onDay: candidate, in: zone) else { continue }
            for boundary in [start, end] where boundary > time && boundary < (best ?? .distantFuture) {
                best = boundary
            }
            if best != nil, start > time { break }
        }
        return best
    }

    /// Whether an alert's labels are selected by every matcher.
    public func selects(_ labels: Labels) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.name]) }
    }
}

extension Timestamp {
    /// Within the years 0001 to 9999, where local-time arithmetic cannot overflow: the engine may ask about
    /// `distantFuture`.
    var clampedToValid: Timestamp { min(max(self, .earliestValid), .latestValid) }
}
