/// A point in time as microseconds since the Unix epoch (the journal's own resolution).
///
/// The engine never reads a clock; every instant it sees is one of these, handed in by its driver.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(seconds: Double) { microseconds = Int64((seconds * 1_000_000).rounded()) }

    public static let zero = Timestamp(microseconds: 0)
    public static let distantPast = Timestamp(microseconds: Int64.min / 2)
    public static let distantFuture = Timestamp(microseconds: Int64.max / 2)

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(microseconds: lhs.microseconds &+ rhs.microseconds)
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(microseconds: lhs.microseconds &- rhs.microseconds)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .microseconds(lhs.microseconds &- rhs.microseconds)
    }

    public var description: String { rfc3339 }
}

extension Duration {
    /// The whole number of microseconds in this duration (truncating).
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000 &+ attoseconds / 1_000_000_000_000
    }
}
