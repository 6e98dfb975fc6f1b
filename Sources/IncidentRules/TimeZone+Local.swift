import Foundation
import IncidentCore

/// Local wall-clock time ↔ instants, with the daylight-saving rules schedules and maintenance windows use.
///
/// "Local seconds" count wall-clock seconds since 1970-01-01 00:00 as if the zone were UTC, so a local day is
/// `localSeconds / 86 400` and "the same local time 7 days later" is `+ 7 × 86 400`. Only turning a local time
/// back into an instant needs the zone's rules:
/// - a local time that does not exist (in the spring-forward gap) becomes the first instant after the gap
///   (02:30 on the day Berlin jumps from 02:00 to 03:00 is 03:00 CEST);
/// - an ambiguous local time (in the hour repeated when clocks fall back) is its first occurrence (02:30 on the
///   day Berlin falls back is 02:30 CEST, not CET).
extension TimeZone {
    /// Resolves an IANA name (`Europe/Berlin`, `UTC`); nil when the system's time zone database does not know it.
    static func named(_ identifier: String) -> TimeZone? {
        // Foundation also makes zones of abbreviations and offsets (`EST`, `GMT+1`) that are no tzdata names;
        // rule files name zones whose rules follow the place, so only known names count.
        guard knownNames.contains(identifier) else { return nil }
        return TimeZone(identifier: identifier)
    }

    static let knownNames: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC", "Etc/UTC", "GMT"])

    /// UTC, for structs whose zone name does not resolve (validation reports it; the math must not trap).
    static let utc = TimeZone(secondsFromGMT: 0)!

    func offsetSeconds(atSecond second: Int64) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: Double(second))))
    }

    /// The local wall-clock time of an instant, in microseconds since local 1970-01-01 00:00.
    func localMicroseconds(at time: Timestamp) -> Int64 {
        let second = Self.floorDivide(time.microseconds, 1_000_000)
        return time.microseconds &+ offsetSeconds(atSecond: second) &* 1_000_000
    }

    /// The local day (days since 1970-01-01) an instant falls on.
    func localDay(at time: Timestamp) -> Int {
        Int(Self.floorDivide(localMicroseconds(at: time), 86_400_000_000))
    }

    /// The instant a local wall-clock time names: the first occurrence when it is ambiguous, the first instant
    /// after the gap when it does not exist.
    func instant(localSeconds local: Int64) -> Timestamp {
        // The offsets in force within two days either side cover every transition near `local`.
        var offsets: Set<Int64> = []
        for probe in [-172_800, -86_400, 0, 86_400, 172_800] as [Int64] {
            offsets.insert(offsetSeconds(atSecond: local &+ probe))
        }
        let valid = offsets.map { local &- $0 }.filter { local &- offsetSeconds(atSecond: $0) == $0 }
        if let first = valid.min() { return Timestamp(microseconds: first &* 1_000_000) }
        // In a gap: the wall clock reaches `local` first at the transition, somewhere in (low, high].
        var low = local &- offsets.max()!
        var high = local &- offsets.min()!
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offsetSeconds(atSecond: middle) >= local { high = middle } else { low = middle }
        }
        return Timestamp(microseconds: high &* 1_000_000)
    }

    /// The instant of `time` on local day `day`.
    func instant(day: Int, time: TimeOfDay) -> Timestamp {
        instant(localSeconds: Int64(day) * 86_400 + Int64(time.minutes) * 60)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
