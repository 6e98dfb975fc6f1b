/// The identity of an alert: Alertmanager's 64-bit FNV-1a hash over the sorted label set.
///
/// Written as 16 lower-case hex digits it equals the `fingerprint` field of Alertmanager's webhooks.
public struct Fingerprint: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses 16 (or fewer) hex digits.
    public init?(hex: String) {
        // UInt64(_:radix:) alone would also take a sign ("+1f", "-0"), which is no fingerprint.
        guard !hex.isEmpty, hex.utf8.count <= 16, hex.allSatisfy(\.isHexDigit),
            let value = UInt64(hex, radix: 16)
        else { return nil }
        rawValue = value
    }

    static let offsetBasis: UInt64 = 14_695_981_039_346_656_037
    static let prime: UInt64 = 1_099_511_628_211
    static let separator: UInt8 = 0xFF

    /// Alertmanager's `labelSetToFingerprint`: for each label in name order, `name 0xFF value 0xFF`.
    public init(labels: Labels) {
        var hash = Self.offsetBasis
        for label in labels {
            for byte in label.name.utf8 { hash = (hash ^ UInt64(byte)) &* Self.prime }
            hash = (hash ^ UInt64(Self.separator)) &* Self.prime
            for byte in label.value.utf8 { hash = (hash ^ UInt64(byte)) &* Self.prime }
            hash = (hash ^ UInt64(Self.separator)) &* Self.prime
        }
        rawValue = hash
    }

    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.utf8.count) + digits
    }

    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.rawValue < rhs.rawValue }
}
