import Foundation
import IncidentCore
import IncidentIngest
import Testing

@Suite("PagerDuty Events v2")
struct PagerDutyPayloadTests {
    /// The example trigger from PagerDuty's Events API v2 documentation, with this suite's times.
    static let trigger = #"""
        {
          "routing_key": "e93facc04764012d7bfb002500d5d1a6",
          "event_action": "trigger",
          "dedup_key": "srv01/disk-full",
          "payload": {
            "summary": "DISK at 99% on machine prod-datapipe03.example.com",
            "timestamp": "2026-11-22T06:18:48.534+00:00",
            "severity": "critical",
            "source": "prod-datapipe03.example.com",
            "component": "mysql",
            "group": "prod-datapipe",
            "class": "disk",
            "custom_details": { "free space": "1%", "ping time": "1500ms", "load avg": 0.75 }
          },
          "images": [],
          "links": [{ "href": "https://example.com", "text": "runbook" }],
          "client": "Sample Monitoring Service"
        }
        """#

    @Test("trigger: labels from payload and dedup_key, summary annotation, firing")
    func triggerEvent() throws {
        #expect(try detectedFormat(Self.trigger) == .pagerduty)
        let events = try decode(Self.trigger, source: .http)
        try #require(events.count == 1)
        let event = events[0]
        #expect(
            event.labels == [
                "source": "prod-datapipe03.example.com", "component": "mysql", "group": "prod-datapipe",
                "class": "disk", "severity": "critical", "dedup_key": "srv01/disk-full",
            ])
        #expect(event.annotations["summary"] == "DISK at 99% on machine prod-datapipe03.example.com")
        #expect(event.status == .firing)
        #expect(!event.acknowledges)
        #expect(event.startsAt == Timestamp(microseconds: captureSecond + 534_000))
        #expect(event.endsAt == nil)
        #expect(event.source == .http)
    }

    @Test("custom_details become one JSON annotation with sorted keys")
    func customDetails() throws {
        let event = try #require(try decode(Self.trigger).first)
        let details = try #require(event.annotations["details"])
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])
        #expect(parsed["free space"] as? String == "1%")
        #expect(parsed["ping time"] as? String == "1500ms")
        #expect(Set(parsed.keys) == ["free space", "load avg", "ping time"])
        let keys = ["\"free space\"", "\"load avg\"", "\"ping time\""].map { details.range(of: $0)?.lowerBound }
        #expect(keys.allSatisfy { $0 != nil } && keys == keys.sorted { $0! < $1! }, "\(details)")
    }

    @Test("a trigger without dedup_key has no dedup_key label")
    func triggerWithoutDedupKey() throws {
        let json = #"""
            {"routing_key":"R","event_action":"trigger",
             "payload":{"summary":"Ping failed","source":"web1","severity":"warning"}}
            """#
        let event = try #require(try decode(json).first)
        #expect(event.labels == ["source": "web1", "severity": "warning"])
        #expect(event.startsAt == nil)
    }

    @Test("resolve: just the dedup_key, resolved now")
    func resolveEvent() throws {
        let json = #"{"routing_key":"R","event_action":"resolve","dedup_key":"srv01/disk-full"}"#
        #expect(try detectedFormat(json) == .pagerduty)
        let events = try decode(json)
        try #require(events.count == 1)
        #expect(events[0].labels == ["dedup_key": "srv01/disk-full"])
        #expect(events[0].status == .resolved)
        #expect(events[0].endsAt == received)
        #expect(!events[0].acknowledges)
        #expect(events[0].annotations.isEmpty)
    }

    @Test(
        "acknowledge is refused where only alert senders are trusted (socket, spool): ingest rights are not ack rights")
    func acknowledgeRefusedByDefault() throws {
        let json = #"{"routing_key":"R","event_action":"acknowledge","dedup_key":"srv01/disk-full"}"#
        #expect(throws: PayloadError.self) { try decode(json) }
        do {
            _ = try PayloadDecoder().decode(Data(json.utf8), source: .spool, receivedAt: received)
        } catch {
            #expect(error.code == "acknowledge-refused")
        }
    }

    @Test(
        "acknowledge, where the caller may acknowledge: still firing, flagged as acknowledging its dedup_key's incident"
    )
    func acknowledgeEvent() throws {
        let json = #"{"routing_key":"R","event_action":"acknowledge","dedup_key":"srv01/disk-full"}"#
        var decoder = PayloadDecoder()
        decoder.acceptsAcknowledgements = true
        let events = try decoder.decode(Data(json.utf8), source: .http, receivedAt: received)
        try #require(events.count == 1)
        #expect(events[0].labels == ["dedup_key": "srv01/disk-full"])
        #expect(events[0].status == .firing)
        #expect(events[0].acknowledges)
        #expect(events[0].endsAt == nil)
    }

    @Test("the resolve of a trigger carries the same dedup_key label value")
    func pairsByDedupKey() throws {
        let trigger = try #require(try decode(Self.trigger).first)
        let resolve = try #require(
            try decode(#"{"routing_key":"R","event_action":"resolve","dedup_key":"srv01/disk-full"}"#).first)
        #expect(trigger.labels["dedup_key"] == resolve.labels["dedup_key"])
    }
}
