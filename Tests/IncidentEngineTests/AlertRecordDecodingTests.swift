import Foundation
import IncidentCore
import IncidentRules
import TestSupport
import Testing

@testable import IncidentEngine

/// The checkpoint's alerts read directly (`CompactCoder+Records.swift`) against the `Decodable` path they
/// replace: the same records from the same bytes, and the same refusals from damaged ones.
@Suite struct AlertRecordDecodingTests {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The alerts of `data` through `AlertRecord.init(from:)` and a keyed container: the generic path.
    static func generic(_ data: Data) throws -> [String: AlertRecord] {
        let reader = CompactCoder.Reader(Array(data))
        let decoder = CompactCoder.CompactDecoder(reader: reader, offset: CompactCoder.magic.count, depth: 0)
        let container = try decoder.container(keyedBy: AnyKey.self)
        var records: [String: AlertRecord] = [:]
        for key in container.allKeys {
            records[key.stringValue] = try AlertRecord(from: container.superDecoder(forKey: key))
        }
        guard try reader.end(of: CompactCoder.magic.count) == reader.bytes.count else {
            throw CompactCoder.corrupt("bytes follow the encoded value")
        }
        return records
    }

    /// The alerts of `data` the way a checkpoint reads them: `Reader.value`, which takes the direct path.
    static func direct(_ data: Data) throws -> [String: AlertRecord] {
        let reader = CompactCoder.Reader(Array(data))
        guard CompactCoder.isCompact(data) else { throw CompactCoder.corrupt("no magic") }
        let records = try reader.value([String: AlertRecord].self, CompactCoder.magic.count, depth: 0)
        guard try reader.end(of: CompactCoder.magic.count) == reader.bytes.count else {
            throw CompactCoder.corrupt("bytes follow the encoded value")
        }
        return records
    }

    /// Each record's own encoding, by key: equal when every field is.
    static func encoded(_ records: [String: AlertRecord]) throws -> [String: Data] {
        try records.mapValues { try CompactCoder.encode($0) }
    }

    static func record(_ n: Int, using random: inout SeededRandom) -> AlertRecord {
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &random) ? value : nil }
        let labels = Labels(
            (0..<Int.random(in: 0...6, using: &random)).map {
                ("l\($0)", String(repeating: "v", count: $0 * 7 + n % 5))
            })
        return AlertRecord(
            fingerprint: Fingerprint(rawValue: UInt64.random(in: 0...UInt64.max, using: &random)), labels: labels,
            annotations: Labels(maybe([("summary", "alert \(n) ✓")]) ?? []),
            status: EventStatus.allCases.randomElement(using: &random)!,
            statusAt: Timestamp(microseconds: Int64.random(in: Int64.min...Int64.max, using: &random)),
            firstSeen: Timestamp(microseconds: Int64(n) * -1_000_003), lastSeen: Timestamp(microseconds: Int64(n)),
            events: Int.random(in: 0...Int.max, using: &random), incident: Int.random(in: -5...100_000, using: &random),
            suppressed: Bool.random(using: &random), source: EventSource.allCases.randomElement(using: &random)!,
            resolveDue: maybe(Timestamp(microseconds: Int64(n) * 60_000_000)),
            silencedBy: maybe((0..<n % 3).map { "silence-\($0)" }))
    }

    static func sample(_ count: Int, seed: UInt64) throws -> Data {
        var random = SeededRandom(seed: seed)
        var records: [String: AlertRecord] = [:]
        for n in 0..<count {
            let record = record(n, using: &random)
            records[record.fingerprint.description] = record
        }
        return try CompactCoder.encode(records)
    }

    /// The engine keeps one record per active alert: a field added where it breaks the packing shows here.
    @Test func anAlertRecordStaysPacked() {
        #expect(MemoryLayout<AlertRecord>.size == 84)
        #expect(MemoryLayout<AlertRecord>.stride == 88)
    }

    @Test func bothPathsReadTheSameAlerts() throws {
        let data = try Self.sample(400, seed: 16)
        let fast = try Self.direct(data)
        let generic = try Self.generic(data)
        #expect(fast.count == 400)
        #expect(try Self.encoded(fast) == Self.encoded(generic))
        // Every optional both ways, and the record that names no silences apart from the one that names none.
        #expect(fast.values.contains { $0.resolveDue == nil } && fast.values.contains { $0.resolveDue != nil })
        #expect(fast.values.contains { $0.silencedBy == nil } && fast.values.contains { $0.silencedBy == [] })
    }

    @Test func damagedAlertsGetTheSameAnswerBothWays() throws {
        let data = [UInt8](try Self.sample(3, seed: 5))
        var random = SeededRandom(seed: 11)
        var (refused, read) = (0, 0)
        for _ in 0..<4_000 {
            var damaged = data
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: CompactCoder.magic.count..<damaged.count, using: &random)
                damaged[at] = UInt8.random(in: 0...255, using: &random)
            }
            let fast = Result { try Self.encoded(Self.direct(Data(damaged))) }
            let generic = Result { try Self.encoded(Self.generic(Data(damaged))) }
            switch (fast, generic) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "bytes \(damaged)")
                read += 1
            case (.failure, .failure):
                refused += 1
            default:
                Issue.record("one path read what the other refused: fast \(fast), generic \(generic), bytes \(damaged)")
            }
        }
        // Both outcomes occur, so the comparison covers each.
        #expect(refused > 100 && read > 100, "refused \(refused), read \(read)")
    }

    @Test func aMissingFieldOrAWrongKindIsRefusedAsBefore() throws {
        struct Partial: Encodable {
            var fingerprint = "00000000000000ab"
            var labels = ["a": "b"]
            var annotations: [String: String] = [:]
            var status = "firing"
            var statusAt = 1
            var firstSeen = 1
            var lastSeen = 2
            var events: Int? = 3
            var incident = 4
            var suppressed = false
            var source = "socket"
        }
        let whole = try CompactCoder.encode(["k": Partial()])
        #expect(try Self.direct(whole)["k"]?.events == 3)
        #expect(try Self.generic(whole)["k"]?.events == 3)
        for broken in [
            Partial(events: nil), Partial(status: "burning"), Partial(fingerprint: "not hex"), Partial(source: "?"),
        ] {
            let data = try CompactCoder.encode(["k": broken])
            #expect(throws: DecodingError.self) { try Self.direct(data) }
            #expect(throws: (any Error).self) { try Self.generic(data) }
        }
    }

    @Test("two keys naming one fingerprint keep the record of the smaller key, as the sorted restore did")
    func duplicateFingerprintsKeepTheSmallerKey() throws {
        let rules = compile(
            """
            rules:
              - { name: everything, match: ['alertname=~".+"'], kind: degradation, impact: low, urgency: low }
            """)
        var engine = CorrelationEngine(ruleSet: rules)
        _ = engine.ingest(Event(labels: ["alertname": "DiskFull"], receivedAt: Timestamp(microseconds: 0)))
        var state = engine.exportState()
        let (key, record) = try #require(state.alerts.first)
        var other = record
        other.events = 99
        let upper = key.uppercased() == key ? key.lowercased() : key.uppercased()
        state.alerts[upper] = other
        let restored = CorrelationEngine(restoring: state, ruleSet: rules)
        let kept = try #require(restored.exportState().alerts.values.first)
        #expect(restored.workingSetSize.alerts == 1)
        #expect(kept.events == (min(key, upper) == key ? record.events : 99))
    }
}
