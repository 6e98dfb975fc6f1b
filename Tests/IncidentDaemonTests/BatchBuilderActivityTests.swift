import IncidentCore
import IncidentEngine
import Testing

@testable import IncidentDaemon

/// How a batch gathers activity snapshots next to full ones: a key changed in full anywhere in the batch goes to
/// the store whole, with the latest snapshot; only keys that saw nothing but activity go as activity.
@Suite struct BatchBuilderActivityTests {
    static let now = Timestamp(rfc3339: "2026-12-06T00:00:00Z")!

    func incident(_ number: Int, events: Int) -> Incident {
        Incident(
            number: number, title: "t", kind: .outage, state: .open, impact: .low, urgency: .low, priority: .p5,
            rule: "r", groupKey: "g", labels: [:], alerts: 1, events: events, flapping: false, escalation: nil,
            openedAt: Self.now)
    }

    func alert(_ incident: Int, _ name: String, events: Int) -> AlertSnapshot {
        let labels: Labels = ["alertname": name]
        return AlertSnapshot(
            fingerprint: labels.fingerprint, incident: incident, labels: labels, annotations: [:], status: .firing,
            firstSeen: Self.now, lastSeen: Self.now + .seconds(Int64(events)), events: events, suppressed: false)
    }

    @Test func onlyKeysWithNothingButActivityGoAsActivity() {
        var builder = BatchBuilder(at: Self.now)
        builder.add([
            .incidentActivity(incident(1, events: 2)), .alertActivity(alert(1, "a", events: 2)),
            .incidentActivity(incident(2, events: 5)), .alertActivity(alert(2, "b", events: 5)),
        ])
        // Later in the batch: incident 1 and alert a change in full, then are seen again.
        builder.add([.incident(incident(1, events: 3)), .alert(alert(1, "a", events: 3))])
        builder.add([.incidentActivity(incident(1, events: 4)), .alertActivity(alert(1, "a", events: 4))])
        // Alert b is seen again.
        builder.add([.incidentActivity(incident(2, events: 6)), .alertActivity(alert(2, "b", events: 6))])
        let batch = builder.batch()
        #expect(batch.incidents == [incident(1, events: 4)])
        #expect(batch.alerts == [alert(1, "a", events: 4)])
        #expect(batch.incidentActivity == [incident(2, events: 6)])
        #expect(batch.alertActivity == [alert(2, "b", events: 6)])
        #expect(!builder.writesNothing)
    }

    @Test func anAlertThatLeftAndCameBackIsWrittenWhole() {
        var builder = BatchBuilder(at: Self.now)
        let a = alert(1, "a", events: 2)
        builder.add([.alertActivity(a), .alertLeft(incident: 1, fingerprint: a.fingerprint)])
        #expect(builder.batch().alertActivity.isEmpty)
        #expect(builder.batch().leftAlerts.map(\.fingerprint) == [a.fingerprint])
        builder.add([.alertActivity(alert(1, "a", events: 3))])
        let batch = builder.batch()
        #expect(batch.alerts == [alert(1, "a", events: 3)])
        #expect(batch.alertActivity.isEmpty && batch.leftAlerts.isEmpty)
    }
}
