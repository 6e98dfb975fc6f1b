import Foundation
import IncidentCore
import Testing

@testable import IncidentEngine

/// The checkpoint's alerts written directly (`CompactCoder.Output.alerts`) give the bytes the synthesized
/// `Encodable` conformances give through the generic writer, for every shape of record.
@Suite struct RecordEncodingTests {
    /// Alerts with every optional field absent and present, empty and odd values, at the ends of the integers.
    static func alerts() -> [String: AlertRecord] {
        var alerts: [String: AlertRecord] = [:]
        let statuses = EventStatus.allCases
        let sources = EventSource.allCases
        for i in 0..<40 {
            let fingerprint = Fingerprint(rawValue: UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            let labels: Labels = i % 5 == 0 ? [:] : ["alertname": "A\(i)", "zürich": "🚨 \u{0}", "": "empty name"]
            alerts[fingerprint.description] = AlertRecord(
                fingerprint: fingerprint, labels: labels, annotations: i % 3 == 0 ? [:] : ["summary": "s \(i)"],
                status: statuses[i % statuses.count], statusAt: Timestamp(microseconds: i % 2 == 0 ? .min : .max),
                firstSeen: Timestamp(microseconds: -Int64(i)), lastSeen: Timestamp(microseconds: Int64(i) << 40),
                events: i % 7 == 0 ? .max : i, incident: i % 11 == 0 ? .min : i / 4, suppressed: i % 2 == 1,
                source: sources[i % sources.count], resolveDue: i % 4 == 0 ? nil : Timestamp(microseconds: Int64(i)),
                silencedBy: i % 3 == 0 ? nil : (i % 3 == 1 ? [] : ["silence-\(i)", "maintenance:w\(i)"]))
        }
        return alerts
    }

    @Test func alertsAreWrittenAsTheSynthesizedConformanceWritesThem() throws {
        let alerts = Self.alerts()
        let direct = try CompactCoder.encodeBytes(alerts)
        let generic = try CompactCoder.encodeBytes(alerts, writingRecordsDirectly: false)
        #expect(direct == generic)
        // One alert on its own, and inside a larger value.
        let one = try #require(alerts.first?.value)
        #expect(try CompactCoder.encodeBytes(one) == CompactCoder.encodeBytes(one, writingRecordsDirectly: false))
        let read = try CompactCoder.decode([String: AlertRecord].self, from: direct)
        #expect(read.count == alerts.count)
    }

    @Test func aWholeEngineStateIsWrittenAsTheGenericPathWritesIt() throws {
        // Grouped, with resolve_after: the records' optional fields are set.
        var engine = CorrelationEngine(ruleSet: CheckpointCompressionTests.rules)
        for i in 0..<200 {
            let labels: Labels = ["alertname": "A\(i % 3)", "instance": "h\(i)", "service": "s\(i / 20)"]
            _ = engine.ingest(event(labels, Double(i), status: i % 9 == 8 ? .resolved : .firing))
        }
        var state = engine.exportState()
        state.alerts.merge(Self.alerts()) { a, _ in a }
        let direct = try CompactCoder.encodeBytes(state)
        #expect(direct == (try CompactCoder.encodeBytes(state, writingRecordsDirectly: false)))
        #expect(try EngineState.decode(Data(direct)).canonicalJSON() == state.canonicalJSON())
    }
}
