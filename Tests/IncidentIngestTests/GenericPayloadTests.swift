import Foundation
import IncidentCore
import IncidentIngest
import Testing

@Suite("Generic alerts (API v2 form, socket lines)")
struct GenericPayloadTests {
    static let single = #"""
        {"labels":{"alertname":"BackupFailed","host":"db1","severity":"error"},
         "annotations":{"summary":"nightly backup failed","runbook":"https://wiki.example.com/backup"},
         "startsAt":"2026-11-22T06:18:48Z","generatorURL":"http://cron.example.com/job/7"}
        """#

    @Test("a single object is one event", arguments: [EventSource.socket, .http, .spool])
    func singleObject(source: EventSource) throws {
        #expect(try detectedFormat(Self.single) == .generic)
        let events = try decode(Self.single, source: source)
        try #require(events.count == 1)
        let event = events[0]
        #expect(event.labels == ["alertname": "BackupFailed", "host": "db1", "severity": "error"])
        #expect(
            event.annotations == ["summary": "nightly backup failed", "runbook": "https://wiki.example.com/backup"])
        #expect(event.status == .firing)
        #expect(event.startsAt == Timestamp(microseconds: captureSecond))
        #expect(event.endsAt == nil)
        #expect(event.generatorURL == "http://cron.example.com/job/7")
        #expect(event.source == source)
        #expect(event.receivedAt == received)
        #expect(event.labels["source"] == nil, "only journal entries carry source as a label")
    }

    @Test("an array is one event per object, in order")
    func array() throws {
        let json = #"""
            [{"labels":{"alertname":"A","i":"0"}},
             {"labels":{"alertname":"B","i":"1"},"status":"resolved","endsAt":"2026-11-22T06:19:00Z"},
             {"labels":{"alertname":"C","i":"2"},"annotations":{"summary":"third"}}]
            """#
        #expect(try detectedFormat(json) == .generic)
        let events = try decode(json)
        #expect(events.map { $0.labels["alertname"] } == ["A", "B", "C"])
        #expect(events.map(\.status) == [.firing, .resolved, .firing])
        #expect(events[1].endsAt == Timestamp(microseconds: captureSecond + 12_000_000))
        #expect(events[2].annotations["summary"] == "third")
    }

    /// endsAt relative to arrival, explicit status → the status the event gets.
    static let statusDefaults: [(String?, String?, EventStatus)] = [
        (nil, nil, .firing),
        ("2026-11-22T06:19:00Z", nil, .resolved),  // endsAt before arrival
        ("2026-11-22T06:20:00Z", nil, .resolved),  // endsAt exactly at arrival
        ("2026-11-22T06:25:00Z", nil, .firing),  // endsAt still ahead: Prometheus's resolve timeout
        (goZeroTime, nil, .firing),
        ("2026-11-22T06:19:00Z", "firing", .firing),  // an explicit status wins
        ("2026-11-22T06:25:00Z", "resolved", .resolved),
        (nil, "resolved", .resolved),
    ]

    @Test("status defaults from endsAt (past means resolved); an explicit status wins", arguments: statusDefaults)
    func statusDefault(endsAt: String?, status: String?, expected: EventStatus) throws {
        var alert: [String: Any] = ["labels": ["alertname": "A"]]
        if let endsAt { alert["endsAt"] = endsAt }
        if let status { alert["status"] = status }
        let data = try JSONSerialization.data(withJSONObject: alert)
        let event = try #require(try PayloadDecoder().decode(data, source: .socket, receivedAt: received).first)
        #expect(event.status == expected)
    }

    @Test("number label values become text; null labels and annotations are left out")
    func scalarValues() throws {
        let json = #"{"labels":{"alertname":"HTTP","code":500,"ratio":0.25,"gone":null},"annotations":{"x":null}}"#
        let event = try #require(try decode(json).first)
        #expect(event.labels == ["alertname": "HTTP", "code": "500", "ratio": "0.25"])
        #expect(event.annotations.isEmpty)
    }

    @Test("empty or null startsAt means no start time")
    func emptyStartsAt() throws {
        for value in [#""""#, "null"] {
            let event = try #require(try decode(#"{"labels":{"a":"1"},"startsAt":\#(value)}"#).first)
            #expect(event.startsAt == nil, "\(value)")
            #expect(event.eventTime() == received)
        }
    }

    @Test("Go's zero startsAt means not set, so the event's time is its arrival")
    func goZeroStartsAt() throws {
        let event = try #require(try decode(#"{"labels":{"a":"1"},"startsAt":"\#(goZeroTime)"}"#).first)
        #expect(event.startsAt == nil)
        #expect(event.eventTime() == received)
    }

    @Test("a label set exactly at the limits is accepted")
    func atTheLimits() throws {
        let decoder = PayloadDecoder(maxLabels: 3, maxLabelValueBytes: 4)
        let event = try #require(try decode(#"{"labels":{"a":"1234","b":"éé","c":""}}"#, decoder: decoder).first)
        #expect(event.labels.count == 3)
    }

    @Test("a payload exactly maxPayloadBytes long is accepted")
    func payloadAtLimit() throws {
        let json = #"{"labels":{"alertname":"A"}}"#
        let decoder = PayloadDecoder(maxPayloadBytes: json.utf8.count)
        #expect(try decode(json, decoder: decoder).count == 1)
    }

    @Test("50,000 alerts in one array all decode")
    func hugeArray() throws {
        let count = 50_000
        var json = "["
        json.reserveCapacity(count * 80)
        for i in 0..<count {
            if i > 0 { json += "," }
            json += #"{"labels":{"alertname":"Load","i":"\#(i)"},"startsAt":"2026-11-22T06:18:48Z"}"#
        }
        json += "]"
        let decoder = PayloadDecoder()
        try #require(json.utf8.count <= decoder.maxPayloadBytes)
        let events = try decode(json, decoder: decoder)
        #expect(events.count == count)
        #expect(events.first?.labels["i"] == "0")
        #expect(events.last?.labels["i"] == "\(count - 1)")
        #expect(Set(events.map(\.fingerprint)).count == count)
    }

    @Test("an alert with 400k labels filling the default payload limit is refused as too many labels")
    func labelFlood() throws {
        // Each label is inserted into a sorted array; building the set one label at a time made this
        // quadratic, so a payload under the byte limit could hold the decoder for a minute.
        let json = Self.flood(field: "labels", count: 400_000)
        try #require(json.utf8.count <= PayloadDecoder().maxPayloadBytes)
        let error = try #require(refusal(json))
        #expect(error.code == "too-many-labels")
        #expect(error.message.contains("400001 labels"))
    }

    @Test(
        "400k annotations filling the default payload limit are refused by max_annotation_bytes, and decode in time where it allows them"
    )
    func annotationFlood() throws {
        let json = Self.flood(field: "annotations", count: 400_000)
        try #require(json.utf8.count <= PayloadDecoder().maxPayloadBytes)
        do {
            _ = try decode(json)
            Issue.record("4 MB of annotations were taken")
        } catch {
            #expect(error.code == "annotation-too-long")
        }
        let roomy = PayloadDecoder(maxAnnotationBytes: 8_000_000)
        let event = try #require(try roomy.decode(Data(json.utf8), source: .socket, receivedAt: .zero).first)
        #expect(event.annotations.count == 400_000)
        #expect(event.annotations["a0"] == "" && event.annotations["a399999"] == "")
    }

    /// One alert whose `field` holds `count` empty-valued entries `a0`, `a1`, ...
    static func flood(field: String, count: Int) -> String {
        let entries = (0..<count).map { #""a\#($0)":"""# }.joined(separator: ",")
        return field == "labels"
            ? #"{"labels":{"alertname":"Flood",\#(entries)}}"#
            : #"{"labels":{"alertname":"Flood"},"annotations":{\#(entries)}}"#
    }
}
