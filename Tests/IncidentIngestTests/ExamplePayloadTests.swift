import Foundation
import IncidentCore
import IncidentIngest
import Testing

/// The payloads in `examples/` that README and `examples/README.md` tell a newcomer to try: each must be
/// detected as its directory's format and decode whole, or the first thing someone tries lands in failed/.
@Suite struct ExamplePayloadTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    static func files() throws -> [String] {
        var files: [String] = []
        for folder in ["alertmanager", "pagerduty", "grafana"] {
            let directory = examples.appendingPathComponent(folder).path
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".json") {
                files.append(folder + "/" + name)
            }
        }
        return files.sorted()
    }

    @Test func everyExampleIsDetectedAsItsFormatAndDecodes() throws {
        let files = try Self.files()
        try #require(files.count >= 7, "\(files)")
        for file in files {
            let data = try Data(contentsOf: Self.examples.appendingPathComponent(file))
            let expected = PayloadFormat(rawValue: String(file.prefix { $0 != "/" }))
            #expect(try detectedFormat(data) == expected, "\(file)")
            #expect(refusal(data) == nil, "\(file): \(refusal(data)?.description ?? "")")
        }
    }

    /// PagerDuty's documented trigger carries `2015-07-17T08:42:58.315+0000`: ISO 8601 with the offset written
    /// without a colon, which RFC 3339 does not allow but PagerDuty documents and senders copy.
    @Test func thePagerDutyDocumentationExampleKeepsItsTimestamp() throws {
        let data = try Data(contentsOf: Self.examples.appendingPathComponent("pagerduty/trigger.json"))
        let events = try PayloadDecoder().decode(data, source: .spool, receivedAt: received)
        try #require(events.count == 1)
        #expect(events[0].startsAt == Timestamp(rfc3339: "2015-07-17T08:42:58.315Z"))
        #expect(events[0].labels["dedup_key"] == "samplekeyhere")
        #expect(events[0].annotations["summary"] == "Example alert on host1.example.com")
    }

    @Test func offsetsWithoutAColonAreReadAsPagerDutyMeansThem() throws {
        func startsAt(_ timestamp: String) throws -> Timestamp? {
            let json =
                #"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"\#(timestamp)"}}"#
            return try decode(json).first?.startsAt
        }
        #expect(try startsAt("2015-07-17T10:42:58.315+0200") == Timestamp(rfc3339: "2015-07-17T08:42:58.315Z"))
        #expect(try startsAt("2015-07-17T03:42:58-0500") == Timestamp(rfc3339: "2015-07-17T08:42:58Z"))
        // ISO 8601's hours-only offset is unambiguous too; a bare time without any zone is still refused.
        #expect(try startsAt("2015-07-17T10:42:58+02") == Timestamp(rfc3339: "2015-07-17T08:42:58Z"))
        #expect(throws: PayloadError.self) { try startsAt("2015-07-17T08:42:58+2") }
        #expect(throws: PayloadError.self) { try startsAt("2015-07-17T08:42:58") }
    }
}
