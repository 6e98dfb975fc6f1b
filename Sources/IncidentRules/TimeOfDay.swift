/// A local wall-clock time in whole minutes (`09:00`), with no day or time zone.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Minutes after midnight: 0 to 1439, or 1440 for `24:00` (the end of a day, where allowed).
    public var minutes: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        minutes = hour * 60 + minute
    }

    private init(endOfDay: Void) { minutes = 1440 }

    /// Reads `HH:MM` (`9:00` too); `24:00` only when `allowingEndOfDay`. Nil for anything else.
    public init?(text: String, allowingEndOfDay: Bool = false) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        if allowingEndOfDay, hour == 24, minute == 0 {
            self = TimeOfDay(endOfDay: ())
            return
        }
        self.init(hour: hour, minute: minute)
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

    public var description: String {
        let m = minute < 10 ? "0\(minute)" : "\(minute)"
        return hour < 10 ? "0\(hour):\(m)" : "\(hour):\(m)"
    }
}
