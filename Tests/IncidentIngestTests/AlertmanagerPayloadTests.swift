import Foundation
import IncidentCore
import IncidentIngest
import Testing

@Suite("Alertmanager webhooks")
struct AlertmanagerPayloadTests {
    @Test("all 15 captured Alertmanager 0.25 webhooks are in the bundle")
    func fixturesPresent() {
        // Guards the parameterised tests below, which would pass vacuously over no files.
        #expect(fixtureNames("alertmanager").count == 15)
    }

    @Test("each captured webhook decodes as Alertmanager, one event per alert", arguments: fixtureNames("alertmanager"))
    func decodesSample(file: String) throws {
        let data = try fixtureData("alertmanager/\(file)")
        let webhook = try JSONDecoder().decode(Webhook.self, from: data)
        try #require(webhook.version == "4")
        #expect(try detectedFormat(data) == .alertmanager)

        let events = try PayloadDecoder().decode(data, source: .spool, receivedAt: received)
        try #require(events.count == webhook.alerts.count)
        for (event, alert) in zip(events, webhook.alerts) {
            #expect(event.status.rawValue == alert.status)
            #expect(event.labels == Labels(alert.labels))
            #expect(event.annotations == Labels(alert.annotations))
            #expect(event.startsAt != nil)
            #expect(event.startsAt == Timestamp(rfc3339: alert.startsAt))
            if alert.endsAt == goZeroTime {
                #expect(event.endsAt == nil, "Go's zero time means no end")
            } else {
                #expect(event.endsAt != nil)
                #expect(event.endsAt == Timestamp(rfc3339: alert.endsAt))
            }
            #expect(event.generatorURL == alert.generatorURL)
            #expect(event.fingerprint.description == alert.fingerprint)
            #expect(event.source == .spool)
            #expect(event.receivedAt == received)
            #expect(!event.acknowledges)
        }
    }

    @Test("naming the format explicitly gives the same events as detecting it", arguments: fixtureNames("alertmanager"))
    func explicitFormat(file: String) throws {
        let data = try fixtureData("alertmanager/\(file)")
        let decoder = PayloadDecoder()
        #expect(
            try decoder.decode(data, format: .alertmanager, source: .http, receivedAt: received)
                == decoder.decode(data, source: .http, receivedAt: received))
    }

    @Test("a partly resolved group keeps each alert's own status and times")
    func mixedGroup() throws {
        let data = try fixtureData("alertmanager/004-manual-firing-mixed-grouped3-HighLatency-api.json")
        let events = try PayloadDecoder().decode(data, source: .http, receivedAt: received)
        #expect(events.map(\.status) == [.firing, .firing, .resolved])
        #expect(events.map { $0.labels["instance"] } == ["api-1:8080", "api-2:8080", "api-3:8080"])
        #expect(events.allSatisfy { $0.startsAt?.microseconds == captureSecond + 534_000 })
        #expect(events.map(\.endsAt) == [nil, nil, Timestamp(microseconds: captureSecond + 3_046_000)])
        #expect(events.map(\.source) == [.http, .http, .http])
        #expect(events[2].annotations == ["summary": "p99 > 3s"])
    }

    @Test("nanosecond startsAt keeps microseconds; a resolved alert's event time is its endsAt")
    func resolvedSingle() throws {
        let data = try fixtureData("alertmanager/005-manual-resolved-single-DiskFull-db.json")
        let event = try #require(try PayloadDecoder().decode(data, source: .spool, receivedAt: received).first)
        #expect(event.status == .resolved)
        #expect(event.startsAt?.microseconds == captureSecond + 531_944)
        #expect(event.endsAt?.microseconds == captureSecond + 6_058_000)
        #expect(event.eventTime() == event.endsAt)
        #expect(
            event.labels == [
                "alertname": "DiskFull", "instance": "db-1:9100", "service": "db", "severity": "critical",
            ])
    }

    @Test("a webhook with no alerts yields no events")
    func noAlerts() throws {
        let events = try decode(#"{"version":"4","status":"firing","receiver":"x","alerts":[]}"#)
        #expect(events.isEmpty)
    }
}

@Suite("Grafana webhooks")
struct GrafanaPayloadTests {
    static let file = "grafana/firing-and-resolved.json"

    @Test("a Grafana alerting webhook is detected as Grafana")
    func detected() throws {
        #expect(try detectedFormat(fixtureData(Self.file)) == .grafana)
    }

    @Test("its alerts[] decode in the Alertmanager form, extra Grafana fields ignored")
    func decodes() throws {
        let data = try fixtureData(Self.file)
        let events = try PayloadDecoder().decode(data, source: .http, receivedAt: received)
        try #require(events.count == 2)
        let (firing, resolved) = (events[0], events[1])

        #expect(firing.status == .firing)
        #expect(
            firing.labels == [
                "alertname": "HighCPU", "grafana_folder": "Infrastructure", "instance": "web1:9100",
                "severity": "critical", "team": "ops",
            ])
        #expect(firing.annotations["summary"] == "CPU above 90% on web1:9100")
        #expect(firing.annotations["runbook_url"] == "https://wiki.example.com/runbooks/high-cpu")
        #expect(firing.annotations.count == 3, "values, valueString and URLs are not annotations")
        #expect(firing.startsAt == Timestamp(microseconds: 1_795_328_250_000_000))
        #expect(firing.endsAt == nil)
        #expect(firing.generatorURL == "https://grafana.example.com/alerting/grafana/d8f2b1c4/view?orgId=1")

        #expect(resolved.status == .resolved)
        #expect(resolved.labels["instance"] == "web2:9100")
        #expect(resolved.startsAt == Timestamp(microseconds: 1_795_326_720_000_000))
        #expect(resolved.endsAt == Timestamp(microseconds: 1_795_328_160_000_000))
        #expect(events.allSatisfy { $0.source == .http })
    }

    @Test("the fingerprint in the webhook matches the labels")
    func fingerprints() throws {
        let data = try fixtureData(Self.file)
        let webhook = try JSONDecoder().decode(Webhook.self, from: data)
        let events = try PayloadDecoder().decode(data, format: .grafana, source: .spool, receivedAt: received)
        #expect(events.map(\.fingerprint.description) == webhook.alerts.map(\.fingerprint))
    }

    @Test(
        "detection: orgId, state or a non-v4 title mark Grafana; Alertmanager's v4 stays Alertmanager",
        arguments: [
            (#"{"alerts":[],"orgId":1}"#, PayloadFormat.grafana),
            (#"{"alerts":[],"state":"alerting"}"#, .grafana),
            (#"{"alerts":[],"title":"[FIRING:1]","version":"1"}"#, .grafana),
            (#"{"alerts":[],"title":"[FIRING:1]","version":"4"}"#, .alertmanager),
            (#"{"alerts":[],"version":"4","status":"firing"}"#, .alertmanager),
            (#"{"alerts":[]}"#, .alertmanager),
        ])
    func detection(json: String, format: PayloadFormat) throws {
        #expect(try detectedFormat(json) == format)
    }
}
