import Foundation

/// Parses the journal export format (`journalctl -o export`): `FIELD=value` lines, binary fields as
/// `FIELD\n` + 64-bit little-endian length + bytes + `\n`, entries separated by a blank line.
public struct JournalExportParser: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var entry: Int
        public var message: String
        public var description: String { "entry \(entry): \(message)" }
    }

    public init() {}

    /// Every entry's fields, in order. A malformed entry stops the parse with its number.
    public func parse(_ data: Data) throws(Failure) -> [[String: String]] {
        var entries: [[String: String]] = []
        var current: [String: String] = [:]
        let bytes = [UInt8](data)
        var i = 0
        func flush() {
            if !current.isEmpty { entries.append(current) }
            current = [:]
        }
        while i < bytes.count {
            if bytes[i] == 0x0A {
                flush()
                i += 1
                continue
            }
            guard let lineEnd = bytes[i...].firstIndex(of: 0x0A) else {
                throw Failure(entry: entries.count + 1, message: "truncated: the last line has no newline")
            }
            let line = bytes[i..<lineEnd]
            if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: line[line.startIndex..<eq], as: UTF8.self)
                current[name] = String(decoding: line[(eq + 1)...], as: UTF8.self)
                i = lineEnd + 1
            } else {
                // Binary field: name, newline, 8-byte little-endian length, data, newline.
                let name = String(decoding: line, as: UTF8.self)
                let start = lineEnd + 1
                guard start + 8 <= bytes.count else {
                    throw Failure(entry: entries.count + 1, message: "truncated length of binary field \(name)")
                }
                var length: UInt64 = 0
                for k in 0..<8 { length |= UInt64(bytes[start + k]) << (8 * UInt64(k)) }
                let dataStart = start + 8
                guard length < UInt64(bytes.count), dataStart + Int(length) < bytes.count,
                    bytes[dataStart + Int(length)] == 0x0A
                else {
                    throw Failure(entry: entries.count + 1, message: "binary field \(name) is truncated or malformed")
                }
                current[name] = String(decoding: bytes[dataStart..<(dataStart + Int(length))], as: UTF8.self)
                i = dataStart + Int(length) + 1
            }
        }
        flush()
        return entries
    }
}
