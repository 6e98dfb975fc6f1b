import Foundation
import IncidentCore
import Testing

@testable import IncidentStore

/// A batch's activity snapshots (an alert seen again, its incident's count): what a store holds afterwards is the
/// snapshot, whether the row was there or not. A store writes just the activity of a row it has.
@Suite struct ActivityCommitTests {
    @Test(arguments: Backend.allCases) func activityLeavesTheSnapshotsAsStored(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var incident = fullIncident(5)
            var alert = sampleAlert(incident: 5)
            _ = try await store.commit(StoreBatch(incidents: [incident], alerts: [alert], at: t(0)))
            incident.events = 12
            alert.events = 7
            alert.lastSeen = t(90)
            var batch = StoreBatch(at: t(90))
            batch.incidentActivity = [incident]
            batch.alertActivity = [alert]
            _ = try await store.commit(batch)
            #expect(try await store.incident(5) == incident)
            #expect(try await store.alerts(of: 5) == [alert])
            #expect(try await store.latestAlert(of: 5) == alert)
        }
    }

    @Test(arguments: Backend.allCases) func activityForARowTheStoreLacksWritesItWhole(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let incident = bareIncident(6)
            let alert = sampleAlert(incident: 6, host: "db2", events: 3)
            var batch = StoreBatch(at: t(10))
            batch.incidentActivity = [incident]
            batch.alertActivity = [alert]
            _ = try await store.commit(batch)
            #expect(try await store.incident(6) == incident)
            #expect(try await store.alerts(of: 6) == [alert])
        }
    }

    /// The narrow write itself: handed a snapshot whose other fields differ from the row, a store changes only an
    /// alert's last-seen time, event count and annotations and an incident's event count. Upserting the whole
    /// snapshot would change the title and the status too; after a restart, the replay's activity could undo what a
    /// later commit wrote (a timer's resolve), so neither backend may. Annotations change only with events, so a
    /// replay's last activity carries the latest.
    @Test(arguments: Backend.allCases) func onlyTheActivityOfARowTheStoreHasIsWritten(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let incident = fullIncident(5)
            let alert = sampleAlert(incident: 5)
            _ = try await store.commit(StoreBatch(incidents: [incident], alerts: [alert], at: t(0)))
            var counted = incident
            counted.events = 40
            counted.title = "not written"
            var seen = alert
            seen.events = 41
            seen.lastSeen = t(99)
            seen.annotations = ["summary": "97% used"]
            seen.status = .resolved
            seen.firstSeen = t(50)
            var batch = StoreBatch(at: t(99))
            batch.incidentActivity = [counted]
            batch.alertActivity = [seen]
            _ = try await store.commit(batch)
            var expectedIncident = incident
            expectedIncident.events = 40
            var expectedAlert = alert
            expectedAlert.events = 41
            expectedAlert.lastSeen = t(99)
            expectedAlert.annotations = ["summary": "97% used"]
            #expect(try await store.incident(5) == expectedIncident)
            #expect(try await store.alerts(of: 5) == [expectedAlert])
        }
    }
}
