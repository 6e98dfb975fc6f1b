import Foundation
import IncidentCore

/// A compact binary form for `Codable` values, used for the engine's checkpoint.
///
/// Foundation's `JSONEncoder` took 7 s to encode the state of 100,000 alerts here (107 MB of JSON) and
/// `JSONDecoder` 6 s to read it back, while the daemon checkpoints every 100,000 events: most of a core, a
/// peak of several times the state's size, and a slow restart. This form writes numbers as varints, strings
/// as length and bytes, and gives each container its byte length, so that a reader finds a keyed container's
/// entries without building a dictionary and skips what it does not ask for.
///
/// Layout: the magic `IDSB` and a format byte (1), then one value. A value is a tag byte and its body:
/// - 0 nil; 1 false; 2 true;
/// - 3 signed integer, zigzag varint; 4 unsigned integer, varint; 5 Float64, 8 bytes little-endian;
/// - 6 string: varint byte count, UTF-8;
/// - 7 list and 8 keyed: UInt32 little-endian byte count of what follows the count field, UInt32 entry count,
///   then the entries: a list's values, or a keyed container's (varint key length, UTF-8 key, value) pairs.
///
/// Every read is bounds-checked: truncated or damaged bytes throw `DecodingError.dataCorrupted`, and nesting
/// deeper than `maxDepth` is refused, so a bad checkpoint costs a replay, never a crash.
public enum CompactCoder {
    static let magic: [UInt8] = [0x49, 0x44, 0x53, 0x42, 0x01]
    static let maxDepth = 64

    enum Tag: UInt8 {
        case null = 0, no, yes, signed, unsigned, double, string, list, keyed
    }

    /// Whether `data` starts with this form's magic (and not, say, a JSON checkpoint of an earlier version).
    public static func isCompact(_ data: Data) -> Bool {
        data.count >= magic.count && data.prefix(magic.count).elementsEqual(magic)
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try encodeBytes(value))
    }

    /// `encode` without the copy into `Data` (the checkpoint compresses these bytes).
    /// `capacity` is what to reserve for the bytes: reserved past what is written, it costs address space only
    /// (untouched pages), where growing by doubling copies the bytes so far and faults new pages in each time.
    static func encodeBytes<T: Encodable>(
        _ value: T, writingRecordsDirectly: Bool = true, capacity: Int = 1 << 16
    ) throws -> [UInt8] {
        let writer = Writer()
        writer.out.bytes.reserveCapacity(capacity)
        writer.writesRecordsDirectly = writingRecordsDirectly
        writer.out.bytes.append(contentsOf: magic)
        try writer.encodeValue(value)
        return writer.out.bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: Array(data))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.count >= magic.count, bytes[..<magic.count].elementsEqual(magic) else {
            throw corrupt("the data does not start with the compact form's magic")
        }
        let reader = Reader(bytes)
        let decoder = CompactDecoder(reader: reader, offset: magic.count, depth: 0)
        let value = try T(from: decoder)
        guard try reader.end(of: magic.count) == reader.bytes.count else {
            throw corrupt("bytes follow the encoded value")
        }
        return value
    }

    static func corrupt(_ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "compact checkpoint: \(message)"))
    }
}

// MARK: - Writing

extension CompactCoder {
    /// The bytes written so far and the primitives that append to them. A value, so that the direct writers
    /// (`CompactCoder+Records.swift`) fill a local copy for a whole loop of records: every access to a class's
    /// stored property costs a dynamic exclusivity check, which at 100,000 alerts was a seventh of the encoding.
    struct Output {
        var bytes: [UInt8] = []

        mutating func tag(_ tag: Tag) { bytes.append(tag.rawValue) }

        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func signed(_ value: Int64) {
            tag(.signed)
            varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
        }

        mutating func unsigned(_ value: UInt64) {
            tag(.unsigned)
            varint(value)
        }

        mutating func double(_ value: Double) {
            tag(.double)
            var bits = value.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }

        mutating func bool(_ value: Bool) { tag(value ? .yes : .no) }

        mutating func string(_ value: String) {
            tag(.string)
            raw(value)
        }

        /// A string's length and bytes, without a tag (keys).
        mutating func raw(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in
                varint(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        /// Opens a container: its tag and room for its byte and entry counts, which `close` fills in. Returns
        /// where that room is.
        mutating func open(_ tag: Tag) -> Int {
            bytes.append(tag.rawValue)
            let header = bytes.count
            bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
            return header
        }

        mutating func close(header: Int, count: UInt32) {
            put(UInt32(truncatingIfNeeded: bytes.count - header - 8), at: header)
            put(count, at: header + 4)
        }

        private mutating func put(_ value: UInt32, at offset: Int) {
            bytes[offset] = UInt8(truncatingIfNeeded: value)
            bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
            bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
            bytes[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
        }

        /// A label set as `Labels.encode(to:)` writes it, a keyed container of strings, without the
        /// `Dictionary` that takes on the way; the entries come in name order instead of the dictionary's, which
        /// any reader of a keyed container accepts.
        mutating func labels(_ labels: Labels) {
            let header = open(.keyed)
            for label in labels {
                raw(label.name)
                string(label.value)
            }
            close(header: header, count: UInt32(truncatingIfNeeded: labels.count))
        }
    }

    /// The output and the containers still open in it, innermost last.
    final class Writer {
        var out = Output()
        private var open: [Box] = []
        /// Whether the engine's alerts (and incidents' alert lists) are written by `Output.alerts` and the like
        /// rather than through their synthesized `encode(to:)`: the same bytes, which tests compare with this off.
        var writesRecordsDirectly = true

        /// A container being written: where its header is and how many entries it has so far.
        final class Box {
            let header: Int
            var count: UInt32 = 0
            var closed = false
            init(header: Int) { self.header = header }
        }

        func openContainer(_ tag: Tag) -> Box {
            let box = Box(header: out.open(tag))
            open.append(box)
            return box
        }

        /// Makes `box` the container being written: containers opened inside it since its last entry are
        /// complete (writing is sequential), so they are closed.
        func activate(_ box: Box) throws {
            guard !box.closed else {
                throw EncodingError.invalidValue(
                    box.header,
                    .init(codingPath: [], debugDescription: "compact form: a container was written after it was closed")
                )
            }
            while let last = open.last, last !== box { close(open.removeLast()) }
        }

        private func close(_ box: Box) {
            box.closed = true
            out.close(header: box.header, count: box.count)
        }

        /// Writes one whole value, closing every container it opened.
        func encodeValue<T: Encodable>(_ value: T) throws {
            if T.self == String.self, let string = value as? String { return writeString(string) }
            if T.self == Int.self, let int = value as? Int { return writeSigned(Int64(int)) }
            if T.self == Int64.self, let int = value as? Int64 { return writeSigned(int) }
            if T.self == Labels.self, let labels = value as? Labels { return out.labels(labels) }
            if writesRecordsDirectly {
                if T.self == [String: AlertRecord].self, let alerts = value as? [String: AlertRecord] {
                    return writeLocally { $0.alerts(alerts) }
                }
                if T.self == AlertRecord.self, let alert = value as? AlertRecord {
                    return writeLocally { $0.alert(alert) }
                }
                if T.self == [Fingerprint].self, let list = value as? [Fingerprint] {
                    return writeLocally { $0.fingerprints(list) }
                }
            }
            let depth = open.count
            let start = out.bytes.count
            try value.encode(to: CompactEncoder(writer: self))
            if out.bytes.count == start {
                // A type that encoded nothing at all reads back as an empty keyed container.
                _ = openContainer(.keyed)
            }
            while open.count > depth { close(open.removeLast()) }
        }

        /// Runs `body` on the output moved into a local variable (one exclusivity check, not one per byte).
        private func writeLocally(_ body: (inout Output) -> Void) {
            var local = Output()
            swap(&local, &out)
            body(&local)
            // The body writes only to `local`: anything in `out` now would be lost by the swap back.
            assert(out.bytes.isEmpty)
            swap(&local, &out)
        }

        func writeTag(_ tag: Tag) { out.tag(tag) }
        func writeSigned(_ value: Int64) { out.signed(value) }
        func writeUnsigned(_ value: UInt64) { out.unsigned(value) }
        func writeDouble(_ value: Double) { out.double(value) }
        func writeBool(_ value: Bool) { out.bool(value) }
        func writeString(_ value: String) { out.string(value) }
        func writeRaw(_ value: String) { out.raw(value) }
    }

    struct CompactEncoder: Encoder {
        let writer: Writer
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(KeyedWriter<Key>(writer: writer, box: writer.openContainer(.keyed)))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            ListWriter(writer: writer, box: writer.openContainer(.list))
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(writer: writer) }
    }

    struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: Writer
        let box: Writer.Box
        var codingPath: [any CodingKey] { [] }

        private func entry(_ key: Key) throws {
            try writer.activate(box)
            box.count += 1
            writer.writeRaw(key.stringValue)
        }

        mutating func encodeNil(forKey key: Key) throws {
            try entry(key)
            writer.writeTag(.null)
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            try entry(key)
            writer.writeBool(value)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            try entry(key)
            writer.writeString(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            try entry(key)
            writer.writeDouble(value)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            try entry(key)
            writer.writeDouble(Double(value))
        }
        mutating func encode(_ value: Int, forKey key: Key) throws {
            try entry(key)
            writer.writeSigned(Int64(value))
        }
        mutating func encode(_ value: Int8, forKey key: Key) throws {
            try entry(key)
            writer.writeSigned(Int64(value))
        }
        mutating func encode(_ value: Int16, forKey key: Key) throws {
            try entry(key)
            writer.writeSigned(Int64(value))
        }
        mutating func encode(_ value: Int32, forKey key: Key) throws {
            try entry(key)
            writer.writeSigned(Int64(value))
        }
        mutating func encode(_ value: Int64, forKey key: Key) throws {
            try entry(key)
            writer.writeSigned(value)
        }
        mutating func encode(_ value: UInt, forKey key: Key) throws {
            try entry(key)
            writer.writeUnsigned(UInt64(value))
        }
        mutating func encode(_ value: UInt8, forKey key: Key) throws {
            try entry(key)
            writer.writeUnsigned(UInt64(value))
        }
        mutating func encode(_ value: UInt16, forKey key: Key) throws {
            try entry(key)
            writer.writeUnsigned(UInt64(value))
        }
        mutating func encode(_ value: UInt32, forKey key: Key) throws {
            try entry(key)
            writer.writeUnsigned(UInt64(value))
        }
        mutating func encode(_ value: UInt64, forKey key: Key) throws {
            try entry(key)
            writer.writeUnsigned(value)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try entry(key)
            try writer.encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            // Cannot throw here: a write to a closed container is reported by the nested container's own
            // writes instead (`activate`), and this entry's key still precedes it.
            try? entry(key)
            return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, box: writer.openContainer(.keyed)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            try? entry(key)
            return ListWriter(writer: writer, box: writer.openContainer(.list))
        }

        mutating func superEncoder() -> any Encoder {
            try? writer.activate(box)
            box.count += 1
            writer.writeRaw("super")
            return CompactEncoder(writer: writer)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            try? entry(key)
            return CompactEncoder(writer: writer)
        }
    }

    struct ListWriter: UnkeyedEncodingContainer {
        let writer: Writer
        let box: Writer.Box
        var codingPath: [any CodingKey] { [] }
        var count: Int { Int(box.count) }

        private func element() throws {
            try writer.activate(box)
            box.count += 1
        }

        mutating func encodeNil() throws {
            try element()
            writer.writeTag(.null)
        }
        mutating func encode(_ value: Bool) throws {
            try element()
            writer.writeBool(value)
        }
        mutating func encode(_ value: String) throws {
            try element()
            writer.writeString(value)
        }
        mutating func encode(_ value: Double) throws {
            try element()
            writer.writeDouble(value)
        }
        mutating func encode(_ value: Int) throws {
            try element()
            writer.writeSigned(Int64(value))
        }
        mutating func encode(_ value: Int64) throws {
            try element()
            writer.writeSigned(value)
        }
        mutating func encode(_ value: UInt64) throws {
            try element()
            writer.writeUnsigned(value)
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try element()
            try writer.encodeValue(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            try? element()
            return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, box: writer.openContainer(.keyed)))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            try? element()
            return ListWriter(writer: writer, box: writer.openContainer(.list))
        }

        mutating func superEncoder() -> any Encoder {
            try? element()
            return CompactEncoder(writer: writer)
        }
    }

    struct SingleWriter: SingleValueEncodingContainer {
        let writer: Writer
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { writer.writeTag(.null) }
        mutating func encode(_ value: Bool) throws { writer.writeBool(value) }
        mutating func encode(_ value: String) throws { writer.writeString(value) }
        mutating func encode(_ value: Double) throws { writer.writeDouble(value) }
        mutating func encode(_ value: Float) throws { writer.writeDouble(Double(value)) }
        mutating func encode(_ value: Int) throws { writer.writeSigned(Int64(value)) }
        mutating func encode(_ value: Int8) throws { writer.writeSigned(Int64(value)) }
        mutating func encode(_ value: Int16) throws { writer.writeSigned(Int64(value)) }
        mutating func encode(_ value: Int32) throws { writer.writeSigned(Int64(value)) }
        mutating func encode(_ value: Int64) throws { writer.writeSigned(value) }
        mutating func encode(_ value: UInt) throws { writer.writeUnsigned(UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { writer.writeUnsigned(UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { writer.writeUnsigned(UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { writer.writeUnsigned(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { writer.writeUnsigned(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeValue(value) }
    }
}

// MARK: - Reading

extension CompactCoder {
    final class Reader {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func byte(_ offset: Int) throws -> UInt8 {
            guard offset >= 0, offset < bytes.count else { throw corrupt("truncated at byte \(offset)") }
            return bytes[offset]
        }

        func tag(_ offset: Int) throws -> Tag {
            let raw = try byte(offset)
            guard let tag = Tag(rawValue: raw) else { throw corrupt("unknown tag \(raw) at byte \(offset)") }
            return tag
        }

        /// A varint at `offset`: its value and the offset after it.
        func varint(_ offset: Int) throws -> (UInt64, Int) {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            var at = offset
            while true {
                let b = try byte(at)
                at += 1
                guard shift < 64 else { throw corrupt("varint too long at byte \(offset)") }
                value |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return (value, at) }
                shift += 7
            }
        }

        func uint32(_ offset: Int) throws -> UInt32 {
            guard offset >= 0, offset + 4 <= bytes.count else { throw corrupt("truncated at byte \(offset)") }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                | UInt32(bytes[offset + 3]) << 24
        }

        /// The byte range of a length-prefixed run (a string's or a key's bytes) whose varint length is at
        /// `offset`.
        func run(_ offset: Int) throws -> Range<Int> {
            let (length, start) = try varint(offset)
            guard length <= UInt64(bytes.count - start) else {
                throw corrupt("a string runs past the end at byte \(offset)")
            }
            return start..<(start + Int(length))
        }

        /// A container's header at `offset` (its tag): where its entries start, how many, and where it ends.
        func container(_ offset: Int, _ expected: Tag) throws -> (entries: Int, count: Int, end: Int) {
            let found = try tag(offset)
            guard found == expected else { throw corrupt("expected \(expected) at byte \(offset), found \(found)") }
            let length = Int(try uint32(offset + 1))
            let count = Int(try uint32(offset + 5))
            let entries = offset + 9
            guard length <= bytes.count - entries else {
                throw corrupt("a container runs past the end at byte \(offset)")
            }
            // Every entry takes at least one byte: a larger count is damage (and must not reserve memory).
            guard count <= length else { throw corrupt("a container at byte \(offset) counts more entries than bytes") }
            return (entries, count, entries + length)
        }

        /// The offset just after the value at `offset`.
        func end(of offset: Int) throws -> Int {
            switch try tag(offset) {
            case .null, .no, .yes: return offset + 1
            case .signed, .unsigned: return try varint(offset + 1).1
            case .double:
                guard offset + 9 <= bytes.count else { throw corrupt("truncated at byte \(offset)") }
                return offset + 9
            case .string: return try run(offset + 1).upperBound
            case .list: return try container(offset, .list).end
            case .keyed: return try container(offset, .keyed).end
            }
        }

        /// The value of type `T` at `offset`: strings, integers, label sets and alerts (most of a checkpoint)
        /// directly (`CompactCoder+Records.swift`), anything else through its `Decodable` conformance.
        func value<T: Decodable>(_ type: T.Type, _ offset: Int, depth: Int) throws -> T {
            if T.self == String.self { return try string(offset) as! T }
            if T.self == Int.self { return try integer(Int.self, offset) as! T }
            if T.self == Labels.self { return try labels(offset) as! T }
            if T.self == [String: AlertRecord].self { return try alertRecords(offset, depth: depth) as! T }
            if T.self == AlertRecord.self { return try alertRecord(offset, depth: depth) as! T }
            return try T(from: CompactDecoder(reader: self, offset: offset, depth: depth))
        }

        /// A label set, a keyed container of strings in any order (`Labels.encode(to:)` wrote a dictionary's
        /// order, `Output.labels` writes name order), read without the `Dictionary` that `Labels.init(from:)`
        /// builds on the way: restoring 100,000 alerts spent a third of its time there. A name written twice
        /// keeps its later value.
        func labels(_ offset: Int) throws -> Labels {
            let (start, count, end) = try container(offset, .keyed)
            var pairs: [(String, String)] = []
            pairs.reserveCapacity(count)
            var at = start
            for _ in 0..<count {
                let key = try run(at)
                let value = try string(key.upperBound)
                at = try self.end(of: key.upperBound)
                guard at <= end else { throw corrupt("a label runs past its set at byte \(key.lowerBound)") }
                pairs.append((bytes.withUnsafeBufferPointer { String(decoding: $0[key], as: UTF8.self) }, value))
            }
            guard at == end else { throw corrupt("a label set at byte \(offset) has bytes after its labels") }
            return Labels(pairs)
        }

        func string(_ offset: Int) throws -> String {
            let found = try tag(offset)
            guard found == .string else { throw corrupt("expected a string at byte \(offset), found \(found)") }
            let range = try run(offset + 1)
            return bytes.withUnsafeBufferPointer { String(decoding: $0[range], as: UTF8.self) }
        }

        func signed(_ offset: Int) throws -> Int64 {
            switch try tag(offset) {
            case .signed:
                let raw = try varint(offset + 1).0
                return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
            case .unsigned:
                let raw = try varint(offset + 1).0
                guard raw <= UInt64(Int64.max) else { throw corrupt("integer out of range at byte \(offset)") }
                return Int64(raw)
            case let other: throw corrupt("expected an integer at byte \(offset), found \(other)")
            }
        }

        func unsigned(_ offset: Int) throws -> UInt64 {
            switch try tag(offset) {
            case .unsigned: return try varint(offset + 1).0
            case .signed:
                let value = try signed(offset)
                guard value >= 0 else { throw corrupt("negative integer at byte \(offset) for an unsigned type") }
                return UInt64(value)
            case let other: throw corrupt("expected an integer at byte \(offset), found \(other)")
            }
        }

        func double(_ offset: Int) throws -> Double {
            switch try tag(offset) {
            case .double:
                guard offset + 9 <= bytes.count else { throw corrupt("truncated at byte \(offset)") }
                var bits: UInt64 = 0
                for i in (0..<8).reversed() { bits = bits << 8 | UInt64(bytes[offset + 1 + i]) }
                return Double(bitPattern: bits)
            case .signed: return Double(try signed(offset))
            case .unsigned: return Double(try unsigned(offset))
            case let other: throw corrupt("expected a number at byte \(offset), found \(other)")
            }
        }

        func bool(_ offset: Int) throws -> Bool {
            switch try tag(offset) {
            case .yes: return true
            case .no: return false
            case let other: throw corrupt("expected a boolean at byte \(offset), found \(other)")
            }
        }

        func integer<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) throws -> T {
            if T.isSigned {
                guard let value = T(exactly: try signed(offset)) else {
                    throw corrupt("integer out of range at byte \(offset)")
                }
                return value
            }
            guard let value = T(exactly: try unsigned(offset)) else {
                throw corrupt("integer out of range at byte \(offset)")
            }
            return value
        }
    }

    struct CompactDecoder: Decoder {
        let reader: Reader
        let offset: Int
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        private func deeper() throws -> Int {
            guard depth < maxDepth else { throw corrupt("nested deeper than \(maxDepth) at byte \(offset)") }
            return depth + 1
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(try KeyedReader<Key>(reader: reader, offset: offset, depth: deeper()))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try ListReader(reader: reader, offset: offset, depth: deeper())
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            SingleReader(reader: reader, offset: offset, depth: depth)
        }
    }

    struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let reader: Reader
        let depth: Int
        /// Each entry's key bytes and value offset, in written order.
        private let entries: [(key: Range<Int>, value: Int)]
        /// Where the last lookup found its key: fields are read in the order they were written, so the next
        /// lookup tries the entry after it first. (The protocol's methods are not mutating.)
        private let hint = Hint()

        final class Hint {
            var next = 0
        }
        var codingPath: [any CodingKey] { [] }

        init(reader: Reader, offset: Int, depth: Int) throws {
            self.reader = reader
            self.depth = depth
            let (start, count, end) = try reader.container(offset, .keyed)
            var entries: [(key: Range<Int>, value: Int)] = []
            entries.reserveCapacity(count)
            var at = start
            for _ in 0..<count {
                let key = try reader.run(at)
                let valueEnd = try reader.end(of: key.upperBound)
                guard valueEnd <= end else { throw corrupt("an entry runs past its container at byte \(at)") }
                entries.append((key, key.upperBound))
                at = valueEnd
            }
            guard at == end else { throw corrupt("a keyed container at byte \(offset) has bytes after its entries") }
            self.entries = entries
        }

        var allKeys: [Key] {
            entries.compactMap { entry in
                Key(
                    stringValue: reader.bytes.withUnsafeBufferPointer { String(decoding: $0[entry.key], as: UTF8.self) }
                )
            }
        }

        private func matches(_ index: Int, _ name: inout String) -> Bool {
            let range = entries[index].key
            return name.withUTF8 { utf8 in
                utf8.count == range.count
                    && reader.bytes.withUnsafeBufferPointer { bytes in
                        memcmp(utf8.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
                    }
            }
        }

        private func find(_ key: Key) -> Int? {
            var name = key.stringValue
            if name.isEmpty { return entries.firstIndex { $0.key.isEmpty } }
            if hint.next < entries.count, matches(hint.next, &name) { return hint.next }
            for index in entries.indices where matches(index, &name) { return index }
            return nil
        }

        private func value(_ key: Key) throws -> Int {
            guard let index = find(key) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: [], debugDescription: "compact checkpoint: no entry '\(key.stringValue)'"))
            }
            hint.next = index + 1
            return entries[index].value
        }

        func contains(_ key: Key) -> Bool { find(key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool { try reader.tag(value(key)) == .null }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.bool(value(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.string(value(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.double(value(key)) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try reader.double(value(key))) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.integer(Int.self, value(key)) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try reader.integer(Int8.self, value(key)) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try reader.integer(Int16.self, value(key))
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try reader.integer(Int32.self, value(key))
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try reader.signed(value(key)) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try reader.integer(UInt.self, value(key)) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try reader.integer(UInt8.self, value(key))
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try reader.integer(UInt16.self, value(key))
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try reader.integer(UInt32.self, value(key))
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try reader.unsigned(value(key)) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try decodeValue(type, at: value(key))
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let index = find(key) else { return nil }
            hint.next = index + 1
            let offset = entries[index].value
            if try reader.tag(offset) == .null { return nil }
            return try decodeValue(type, at: offset)
        }

        private func decodeValue<T: Decodable>(_ type: T.Type, at offset: Int) throws -> T {
            try reader.value(type, offset, depth: depth)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try CompactDecoder(reader: reader, offset: value(key), depth: depth).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try CompactDecoder(reader: reader, offset: value(key), depth: depth).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            guard
                let index = entries.firstIndex(where: { entry in
                    reader.bytes[entry.key].elementsEqual("super".utf8)
                })
            else { throw corrupt("no entry 'super'") }
            return CompactDecoder(reader: reader, offset: entries[index].value, depth: depth)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            CompactDecoder(reader: reader, offset: try value(key), depth: depth)
        }
    }

    struct ListReader: UnkeyedDecodingContainer {
        let reader: Reader
        let depth: Int
        private var position: Int
        private let end: Int
        let count: Int?
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var isAtEnd: Bool { currentIndex >= (count ?? 0) }

        init(reader: Reader, offset: Int, depth: Int) throws {
            self.reader = reader
            self.depth = depth
            let (start, count, end) = try reader.container(offset, .list)
            self.position = start
            self.end = end
            self.count = count
        }

        /// The offset of the next element, moving past it.
        private mutating func take() throws -> Int {
            guard !isAtEnd else { throw corrupt("a list has no element \(currentIndex)") }
            let offset = position
            let next = try reader.end(of: offset)
            guard next <= end else { throw corrupt("an element runs past its list at byte \(offset)") }
            position = next
            currentIndex += 1
            return offset
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, try reader.tag(position) == .null else { return false }
            _ = try take()
            return true
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(take()) }
        mutating func decode(_ type: String.Type) throws -> String { try reader.string(take()) }
        mutating func decode(_ type: Double.Type) throws -> Double { try reader.double(take()) }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try reader.double(take())) }
        mutating func decode(_ type: Int.Type) throws -> Int { try reader.integer(Int.self, take()) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(Int8.self, take()) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(Int16.self, take()) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(Int32.self, take()) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try reader.signed(take()) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(UInt.self, take()) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(UInt8.self, take()) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(UInt16.self, take()) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(UInt32.self, take()) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.unsigned(take()) }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try reader.value(type, take(), depth: depth)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try CompactDecoder(reader: reader, offset: take(), depth: depth).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try CompactDecoder(reader: reader, offset: take(), depth: depth).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            CompactDecoder(reader: reader, offset: try take(), depth: depth)
        }
    }

    struct SingleReader: SingleValueDecodingContainer {
        let reader: Reader
        let offset: Int
        let depth: Int
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { (try? reader.tag(offset)) == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(offset) }
        func decode(_ type: String.Type) throws -> String { try reader.string(offset) }
        func decode(_ type: Double.Type) throws -> Double { try reader.double(offset) }
        func decode(_ type: Float.Type) throws -> Float { Float(try reader.double(offset)) }
        func decode(_ type: Int.Type) throws -> Int { try reader.integer(Int.self, offset) }
        func decode(_ type: Int8.Type) throws -> Int8 { try reader.integer(Int8.self, offset) }
        func decode(_ type: Int16.Type) throws -> Int16 { try reader.integer(Int16.self, offset) }
        func decode(_ type: Int32.Type) throws -> Int32 { try reader.integer(Int32.self, offset) }
        func decode(_ type: Int64.Type) throws -> Int64 { try reader.signed(offset) }
        func decode(_ type: UInt.Type) throws -> UInt { try reader.integer(UInt.self, offset) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.integer(UInt8.self, offset) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.integer(UInt16.self, offset) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.integer(UInt32.self, offset) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.unsigned(offset) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try reader.value(type, offset, depth: depth)
        }
    }
}
