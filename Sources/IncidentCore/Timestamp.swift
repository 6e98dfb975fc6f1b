/// A point in time as microseconds since the Unix epoch (the journal's own resolution).
///
/// The engine never reads a clock; every instant it sees is one of these, handed in by its driver. Arithmetic
/// saturates instead of trapping: a time from outside that slipped past the decoders' range check must not be
/// able to stop the daemon (SPEC §4: bad input never stops the daemon).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Double) {
        let micros = (seconds * 1_000_000).rounded()
        // Int64(Double) traps on NaN and out-of-range values; clamp first.
        if micros.isNaN {
            microseconds = 0
        } else if micros >= 9.2e18 {
            microseconds = Int64.max
        } else if micros <= -9.2e18 {
            microseconds = Int64.min
        } else {
            microseconds = Int64(micros)
        }
    }

    public static let zero = Timestamp(microseconds: 0)
    public static let distantPast = Timestamp(microseconds: Int64.min / 2)
    public static let distantFuture = Timestamp(microseconds: Int64.max / 2)

    /// The earliest time accepted from outside: 0001-01-01T00:00:00Z, the first instant RFC 3339 can write.
    public static let earliestValid = Timestamp(microseconds: -62_135_596_800_000_000)
    /// The latest time accepted from outside: 9999-12-31T23:59:59.999999Z, the last instant RFC 3339 can write.
    public static let latestValid = Timestamp(microseconds: 253_402_300_799_999_999)

    /// Whether this time can be written in RFC 3339 (years 0001 to 9999): every time a decoder accepts is.
    public var isValid: Bool { self >= Self.earliestValid && self <= Self.latestValid }

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(microseconds: saturatingAdd(lhs.microseconds, rhs.microseconds))
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(microseconds: saturatingSubtract(lhs.microseconds, rhs.microseconds))
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .microseconds(saturatingSubtract(lhs.microseconds, rhs.microseconds))
    }

    public var description: String { rfc3339 }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }

    static func saturatingSubtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        guard overflow else { return difference }
        return b < 0 ? .max : .min
    }
}

extension Duration {
    /// The whole number of microseconds in this duration (truncating), saturating at Int64's range.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return seconds > 0 ? .max : .min }
        return Timestamp.saturatingAdd(scaled, attoseconds / 1_000_000_000_000)
    }
}
