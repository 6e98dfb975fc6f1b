import Foundation
import IncidentCore
import TestSupport
import Testing

@testable import IncidentEngine

/// The checkpoint's binary form: every kind of value survives a round trip, and damaged bytes are refused with
/// an error rather than a crash or a huge allocation.
@Suite struct CompactCoderTests {
    struct Empty: Codable, Equatable {}

    enum Color: String, Codable, Equatable { case red, green }

    struct Everything: Codable, Equatable {
        var int = Int.min
        var int8 = Int8.min
        var int16 = Int16.max
        var int32 = Int32.min
        var int64 = Int64.max
        var uint = UInt.max
        var uint8 = UInt8.max
        var uint16 = UInt16.max
        var uint32 = UInt32.max
        var uint64 = UInt64.max
        var double = -1.5e300
        var float: Float = 0.25
        var yes = true
        var no = false
        var text = "zürich 🚨 \u{0}end"
        var empty = ""
        var missing: Int? = nil
        var present: String? = "here"
        var list = [1, -2, 3]
        var nested = [[String]](arrayLiteral: ["a"], [], ["b", "c"])
        var optionals: [Int?] = [1, nil, 3]
        var byName = ["b": 2, "a": 1]
        var byNumber = [7: "seven", -1: "minus one"]
        var color = Color.green
        var nothing = Empty()
        var labels: Labels = ["alertname": "DiskFull", "host": "db1"]
        var time = Timestamp(microseconds: 1_732_430_000_123_456)
    }

    @Test func everyKindOfValueRoundTrips() throws {
        let value = Everything()
        let data = try CompactCoder.encode(value)
        #expect(try CompactCoder.decode(Everything.self, from: data) == value)
        // Smaller than the JSON of the same value.
        #expect(data.count < (try JSONEncoder().encode(value)).count)
    }

    /// Label sets skip the `Dictionary` both ways, but their bytes stay a keyed container of strings: a
    /// checkpoint an earlier version wrote (labels in a dictionary's order) reads, and one written now reads as
    /// a dictionary, the way an earlier version reads it.
    @Test func labelSetsKeepTheDictionaryFormBothWays() throws {
        let labels: Labels = ["zone": "eu-1", "alertname": "DiskFull", "host": "db1", "é": "x", "ê": "y", "e": "z"]
        struct Holder: Codable, Equatable {
            var labels: Labels
            var list: [Labels]
            var maybe: Labels?
        }
        let holder = Holder(labels: labels, list: [labels, Labels()], maybe: labels)
        let written = try CompactCoder.encode(holder)
        #expect(try CompactCoder.decode(Holder.self, from: written) == holder)
        struct Earlier: Codable, Equatable {
            var labels: [String: String]
            var list: [[String: String]]
            var maybe: [String: String]?
        }
        let earlier = Earlier(labels: labels.dictionary, list: [labels.dictionary, [:]], maybe: labels.dictionary)
        #expect(try CompactCoder.decode(Earlier.self, from: written) == earlier)
        #expect(try CompactCoder.decode(Holder.self, from: CompactCoder.encode(earlier)) == holder)
        // A label whose value is not a string is an error, not a guess.
        struct NotStrings: Codable { var labels = ["a": 1] }
        struct OnlyLabels: Decodable { var labels: Labels }
        #expect(throws: DecodingError.self) {
            try CompactCoder.decode(OnlyLabels.self, from: CompactCoder.encode(NotStrings()))
        }
    }

    @Test func fieldsReadInAnyOrderAndUnknownOnesAreSkipped() throws {
        struct Writer: Codable { var a = 1, b = "two", c = [3], d: Int? = 4 }
        struct Reader: Decodable, Equatable {
            var d: Int?
            var c: [Int]
            var a: Int
            var missing: String?
        }
        let read = try CompactCoder.decode(Reader.self, from: CompactCoder.encode(Writer()))
        #expect(read == Reader(d: 4, c: [3], a: 1, missing: nil))
    }

    @Test func aMissingFieldAndAWrongTypeAreErrors() throws {
        struct Writer: Codable { var a = "text" }
        struct NeedsB: Decodable { var b: Int }
        struct AIsInt: Decodable { var a: Int }
        let data = try CompactCoder.encode(Writer())
        #expect(throws: DecodingError.self) { try CompactCoder.decode(NeedsB.self, from: data) }
        #expect(throws: DecodingError.self) { try CompactCoder.decode(AIsInt.self, from: data) }
        // Out of range for the narrower type.
        struct Big: Codable { var a = Int64(300) }
        struct Small: Decodable { var a: Int8 }
        #expect(throws: DecodingError.self) { try CompactCoder.decode(Small.self, from: CompactCoder.encode(Big())) }
    }

    @Test func everyTruncationIsAnError() throws {
        let data = try CompactCoder.encode(Everything())
        for length in 0..<data.count {
            #expect(throws: (any Error).self, "prefix of \(length) bytes") {
                try CompactCoder.decode(Everything.self, from: data.prefix(length))
            }
        }
        #expect(throws: DecodingError.self) {
            try CompactCoder.decode(Everything.self, from: data + Data([0]))
        }
    }

    @Test func damagedBytesNeverCrash() throws {
        let data = try CompactCoder.encode(Everything())
        var random = SeededRandom(seed: 7)
        var refused = 0
        for _ in 0..<3_000 {
            var damaged = [UInt8](data)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: CompactCoder.magic.count..<damaged.count, using: &random)
                damaged[at] = UInt8.random(in: 0...255, using: &random)
            }
            // Either an error or some value: what matters is that reading returns.
            do {
                _ = try CompactCoder.decode(Everything.self, from: Data(damaged))
            } catch {
                refused += 1
            }
        }
        #expect(refused > 2_000)
    }

    @Test func hostileHeadersAreRefused() throws {
        let magic = CompactCoder.magic
        // A keyed container claiming 4 billion entries in 8 bytes.
        let huge = magic + [8, 8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0, count: 8)
        #expect(throws: DecodingError.self) { try CompactCoder.decode([String: Int].self, from: Data(huge)) }
        // A container longer than the data.
        let long = magic + [7, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 0]
        #expect(throws: DecodingError.self) { try CompactCoder.decode([Int?].self, from: Data(long)) }
        // A string longer than the data, and a varint that never ends.
        #expect(throws: DecodingError.self) {
            try CompactCoder.decode(String.self, from: Data(magic + [6, 0x90, 0x4e, 0x41]))
        }
        #expect(throws: DecodingError.self) {
            try CompactCoder.decode(Int.self, from: Data(magic + [3] + [UInt8](repeating: 0xff, count: 20)))
        }
        // Not the compact form at all (a JSON checkpoint goes to the JSON decoder instead).
        #expect(throws: DecodingError.self) { try CompactCoder.decode(Int.self, from: Data("{}".utf8)) }
    }

    /// Lists of lists, read by recursing: what a hostile checkpoint nested deeply would make a decoder do.
    struct Nest: Decodable {
        init(from decoder: any Decoder) throws {
            var list = try decoder.unkeyedContainer()
            while !list.isAtEnd {
                if try list.decodeNil() { continue }
                _ = try list.decode(Nest.self)
            }
        }
    }

    /// `depth` lists, each holding the next, the innermost holding nil.
    private func nested(_ depth: Int) -> Data {
        var bytes = CompactCoder.magic
        for level in 0..<depth {
            bytes += [7] + le32(UInt32((depth - level - 1) * 9 + 1)) + le32(1)
        }
        return Data(bytes + [0])
    }

    @Test func deepNestingIsRefusedWithoutRecursingForEver() throws {
        _ = try CompactCoder.decode(Nest.self, from: nested(10))
        #expect(throws: DecodingError.self) { try CompactCoder.decode(Nest.self, from: nested(200)) }
        #expect(throws: DecodingError.self) { try CompactCoder.decode(Nest.self, from: nested(100_000)) }
    }

    private func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }
}
