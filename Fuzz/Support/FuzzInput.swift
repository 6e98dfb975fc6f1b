/// Reads structured values (small integers, strings, choices) from a fuzz input, for targets that build a value
/// rather than parse bytes. Past the end every read returns zero or empty, so any input is a valid one.
public struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    public var isAtEnd: Bool { position >= bytes.count }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func bool() -> Bool { byte() & 1 == 1 }

    /// Eight bytes, little-endian: the whole range, extremes included.
    public mutating func int64() -> Int64 {
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(byte()) << (8 * UInt64(k)) }
        return Int64(bitPattern: value)
    }

    public mutating func int(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        let raw = UInt64(bitPattern: int64())
        return span == .max ? Int64(bitPattern: raw) : range.lowerBound &+ Int64(bitPattern: raw % (span + 1))
    }

    public mutating func choice<T>(_ options: [T]) -> T { options[Int(byte()) % options.count] }

    /// A string of up to 255 bytes, decoded as UTF-8 (invalid bytes become U+FFFD, as a decoder would make them).
    public mutating func string() -> String {
        let count = Int(byte())
        let end = min(bytes.count, position + count)
        defer { position = end }
        return String(decoding: bytes[min(position, end)..<end], as: UTF8.self)
    }

    /// What is left, as one string.
    public mutating func rest() -> String {
        defer { position = bytes.count }
        return String(decoding: bytes[min(position, bytes.count)...], as: UTF8.self)
    }
}
