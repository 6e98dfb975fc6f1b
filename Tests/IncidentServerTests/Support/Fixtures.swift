import Foundation
import IncidentCore

/// Incidents, alerts and payloads the tests share.
enum Fixtures {
    /// The fake's clock: every "now" in these tests.
    static let now = Timestamp(rfc3339: "2026-11-22T07:00:00Z")!

    static func incident(
        _ number: Int, state: IncidentState = .open, kind: IncidentKind = .outage, priority: Priority = .p1,
        title: String? = nil, openedAt: Timestamp? = nil
    ) -> Incident {
        Incident(
            number: number, title: title ?? "Host db\(number) is down", kind: kind, state: state, impact: .high,
            urgency: .high, priority: priority, rule: "host-down", groupKey: "{instance=\"db\(number):9100\"}",
            labels: ["alertname": "HostDown", "instance": "db\(number):9100"], alerts: 2, events: 5, flapping: false,
            escalation: .init(policy: "critical", step: 1, round: 0, nextAt: now + .seconds(300)),
            openedAt: openedAt ?? now - .seconds(3600))
    }

    static func detail(_ incident: Incident) -> IncidentDetail {
        let opened = incident.openedAt
        return IncidentDetail(
            incident: incident,
            alerts: [
                AlertSnapshot(
                    fingerprint: Labels(["alertname": "HostDown", "instance": "db\(incident.number):9100"]).fingerprint,
                    incident: incident.number,
                    labels: ["alertname": "HostDown", "instance": "db\(incident.number):9100"],
                    annotations: ["summary": "db is | down"], status: .firing, firstSeen: opened,
                    lastSeen: opened + .seconds(600), events: 4, suppressed: false),
                AlertSnapshot(
                    fingerprint: Labels(["alertname": "HostDown", "instance": "dbx:9100"]).fingerprint,
                    incident: incident.number, labels: ["alertname": "HostDown", "instance": "dbx:9100"],
                    annotations: [:], status: .resolved, firstSeen: opened + .seconds(30),
                    lastSeen: opened + .seconds(90), events: 1, suppressed: true),
            ],
            timeline: [
                TimelineEntry(at: opened, type: "opened", detail: "alert HostDown fired"),
                TimelineEntry(at: opened, type: "classified", detail: "kind outage by rule 'host-down'"),
                TimelineEntry(at: opened + .seconds(300), type: "escalated", detail: "step 1 round 0: notified oncall"),
                TimelineEntry(at: opened + .seconds(400), type: "acknowledged", detail: "by ana"),
            ],
            notes: [
                IncidentNote(
                    id: 1, incident: incident.number, at: opened + .seconds(420), author: "ana",
                    text: "disk\nfull on /var")
            ])
    }

    /// An Alertmanager webhook as Alertmanager 0.27 posts it (from shared/samples/alertmanager).
    static let alertmanagerWebhook = """
        {"receiver":"sink","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighLatency",\
        "instance":"api-1:8080","service":"api","severity":"warning"},"annotations":{"summary":"p99 > 1s"},\
        "startsAt":"2026-11-22T06:18:48.534Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"",\
        "fingerprint":"c8a375962cc9ad75"},{"status":"firing","labels":{"alertname":"HighLatency",\
        "instance":"api-2:8080","service":"api","severity":"warning"},"annotations":{"summary":"p99 > 1s"},\
        "startsAt":"2026-11-22T06:18:48.534Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"",\
        "fingerprint":"ff6b7b7b7daf4046"}],"groupLabels":{"alertname":"HighLatency","service":"api"},\
        "commonLabels":{"alertname":"HighLatency","service":"api"},"commonAnnotations":{},\
        "externalURL":"http://vm:19093","version":"4",\
        "groupKey":"{}:{alertname=\\"HighLatency\\", service=\\"api\\"}","truncatedAlerts":0}
        """

    /// What Prometheus posts to `/api/v2/alerts`: an array of alerts in API v2 form.
    static let prometheusAlerts = """
        [{"labels":{"alertname":"DiskFull","instance":"db1:9100","severity":"critical"},\
        "annotations":{"summary":"disk 95% full"},"startsAt":"2026-11-22T06:50:00Z",\
        "endsAt":"2026-11-22T07:10:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=..."}]
        """
}
