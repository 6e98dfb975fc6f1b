import Foundation
import IncidentCore
import Testing

/// The one string reader behind `Labels(jsonText:)` and the payload fast path: each escape set accepts what it
/// names, agrees with `JSONSerialization` on what it accepts, and refuses the rest (nil) for the general path.
@Suite struct JSONStringTests {
    static func read(_ literal: String, _ escapes: JSONString.Escapes) -> (String?, end: Int) {
        var text = literal
        return text.withUTF8 { bytes in
            var i = 0
            let value = JSONString.read(bytes, at: &i, escapes: escapes)
            return (value, i)
        }
    }

    /// What `JSONSerialization` reads the literal as (wrapped in an array, which it needs at the top).
    static func general(_ literal: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String])?.first
    }

    /// Every byte below 0x80, then text beyond ASCII, written by `append` and read back by `.asWritten`.
    @Test func whatAppendWritesReadsBackAsWritten() throws {
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "ünïcode ✓", "🔥👩‍🚒", "a\"b\\c/d", "\u{0}\u{1F}\u{7F}", "\\u0041"]
        for sample in samples {
            var out: [UInt8] = []
            JSONString.append(sample, to: &out)
            let literal = String(decoding: out, as: UTF8.self)
            let (value, end) = Self.read(literal, .asWritten)
            #expect(value == sample, "\(literal.debugDescription)")
            #expect(end == out.count)
            #expect(Self.general(literal) == sample, "JSONSerialization reads \(literal.debugDescription) differently")
        }
    }

    /// A literal stops at its closing quote: what follows is the caller's.
    @Test func theReaderStopsAfterTheClosingQuote() {
        let (value, end) = Self.read(#""a\"b","next""#, .simple)
        #expect(value == "a\"b")
        #expect(end == 6)
    }

    @Test(arguments: [
        (#""\/""#, "/"), (#""\b\f""#, "\u{8}\u{C}"), (#""\n\r\t""#, "\n\r\t"), (#""\"\\""#, "\"\\"),
        (#""ünïcode""#, "ünïcode"),
    ])
    func simpleEscapesAreRead(_ literal: String, _ expected: String) {
        #expect(Self.read(literal, .simple).0 == expected)
        #expect(Self.general(literal) == expected)
    }

    /// `\u` is the general path's in `.simple`; `.asWritten` takes only the `\u00xx` that `append` writes.
    @Test(arguments: [
        (#""\u0041""#, false, false), (#""\u001f""#, false, true), (#""\u001F""#, false, false),
        (#""\u000a""#, false, false), (#""\u0020""#, false, false), (#""\/""#, true, false), (#""\b""#, true, false),
        (#""\f""#, true, false), (#""\x""#, false, false), (#""\ud83d\udd25""#, false, false),
    ])
    func escapesEachSetAccepts(_ literal: String, simple: Bool, asWritten: Bool) {
        #expect((Self.read(literal, .simple).0 != nil) == simple, "\(literal) in .simple")
        #expect((Self.read(literal, .asWritten).0 != nil) == asWritten, "\(literal) in .asWritten")
        if let value = Self.read(literal, .asWritten).0 ?? Self.read(literal, .simple).0 {
            #expect(Self.general(literal) == value)
        }
    }

    @Test(arguments: ["", "a", #"""#, #""abc"#, #""a\"#, #""a\u00"#, "\"\u{1}\"", "\"\n\"", #"'a'"#])
    func brokenLiteralsAreRefused(_ literal: String) {
        #expect(Self.read(literal, .simple).0 == nil)
        #expect(Self.read(literal, .asWritten).0 == nil)
    }
}
