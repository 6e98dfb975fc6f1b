/// The identity of an alert: Alertmanager's 64-bit FNV-1a hash over the sorted label set.
///
/// Written as 16 lower-case hex digits it equals the `fingerprint` field of Alertmanager's webhooks.
public struct Fingerprint: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses 1 to 16 ASCII hex digits, either case; nothing else (no sign, no `0x`, no spaces).
    ///
    /// Over the UTF-8 bytes: every stored alert and every alert of a checkpoint is read through here, and the
    /// `Character` checks this replaced were 11% of a restart with 100,000 alerts (BENCHMARKS.md, issue 16).
    public init?(hex: String) {
        var value: UInt64 = 0
        var digits = 0
        for byte in hex.utf8 {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            digits += 1
            guard digits <= 16 else { return nil }
            value = value << 4 | UInt64(digit)
        }
        guard digits > 0 else { return nil }
        rawValue = value
    }

    static let offsetBasis: UInt64 = 14_695_981_039_346_656_037
    static let prime: UInt64 = 1_099_511_628_211
    static let separator: UInt8 = 0xFF

    /// Alertmanager's `labelSetToFingerprint`: for each label in name order, `name 0xFF value 0xFF`.
    public init(labels: Labels) {
        var hash = Self.offsetBasis
        for label in labels {
            hash = Self.add(label.name, to: hash)
            hash = (hash ^ UInt64(Self.separator)) &* Self.prime
            hash = Self.add(label.value, to: hash)
            hash = (hash ^ UInt64(Self.separator)) &* Self.prime
        }
        rawValue = hash
    }

    /// FNV-1a over a string's UTF-8 bytes, through its contiguous storage when it has one (native strings
    /// do): iterating `utf8` byte by byte costs several times more.
    @inline(__always)
    static func add(_ text: String, to hash: UInt64) -> UInt64 {
        if let result = text.utf8.withContiguousStorageIfAvailable({ bytes -> UInt64 in
            var h = hash
            var i = 0
            while i < bytes.count {
                h = (h ^ UInt64(bytes[i])) &* prime
                i += 1
            }
            return h
        }) {
            return result
        }
        var h = hash
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* prime }
        return h
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `description`'s 16 lower-case hex digits to `out` (the store binds them from a buffer it reuses).
    public func appendHex(to out: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: rawValue >> UInt64(shift)) & 0xF
            out.append(digit < 10 ? UInt8(ascii: "0") &+ digit : UInt8(ascii: "a") &+ digit &- 10)
        }
    }

    public static func < (lhs: Fingerprint, rhs: Fingerprint) -> Bool { lhs.rawValue < rhs.rawValue }
}
