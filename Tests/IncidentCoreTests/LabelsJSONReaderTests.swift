import Foundation
import IncidentCore
import Testing

/// `Labels(jsonText:)` reads back what `jsonText` writes, and leaves everything else to `JSONDecoder` (nil).
@Suite struct LabelsJSONReaderTests {
    static let sets: [Labels] = [
        [:],
        ["alertname": "DiskFull"],
        ["alertname": "DiskFull", "host": "db1", "service": "api/\"v2\"", "zone": "ünïcode ✓"],
        ["a": "line\nbreak\r\ttab\\slash", "b": "nul\u{0}and\u{1F}unit", "c": "", "": "empty name"],
        ["emoji": "🔥👩‍🚒", "quote": "\"", "backslash-u": "\\u0041"],
    ]

    @Test(arguments: sets) func whatJSONTextWritesReadsBackTheSame(_ labels: Labels) throws {
        let text = labels.jsonText
        #expect(Labels(jsonText: text) == labels, "\(text)")
        #expect(try JSONDecoder().decode(Labels.self, from: Data(text.utf8)) == labels)
    }

    /// Valid JSON that `jsonText` never writes is left to the general path, which reads it.
    @Test(arguments: [
        #"{ "a": "b" }"#,  // white space
        #"{"b":"1","a":"2"}"#,  // keys out of order
        #"{"a":"1","a":"2"}"#,  // a repeated key
        #"{"a":"\u0041"}"#,  // an escape jsonText does not write
        #"{"a":"\/"}"#,
        #"{"a":"\u00e9"}"#,
        #"{"a":"\u001F"}"#,  // upper case hex: jsonText writes lower case
        #"{"a":"\u000a"}"#,  // jsonText writes \n
        #"{"a":1}"#,  // not a string
    ])
    func otherJSONIsLeftToTheGeneralPath(_ text: String) throws {
        #expect(Labels(jsonText: text) == nil)
    }

    @Test(arguments: [
        "", "{", "}", "{}x", #"{"a"}"#, #"{"a":"b""#, #"{"a":"b",}"#, "{\"a\":\"\u{1}\"}", #"{"a":"\u00"}"#, "[]",
    ])
    func brokenTextIsRefused(_ text: String) {
        #expect(Labels(jsonText: text) == nil)
    }
}
