import Foundation
import IncidentCore
import IncidentStore
import Testing

@Suite struct AtomicityTests {
    /// Everything a store holds that a batch can touch, to compare before and after.
    struct Contents: Equatable {
        var events: [Event]
        var incidents: [Incident]
        var alerts: [AlertSnapshot]
        var timeline: [TimelineEntry]
        var outbox: [OutboxEntry]
        var engineState: Data?
        var journal: String?

        init(_ store: any DaemonStore) async throws {
            events = try await store.events(after: 0, limit: 100).map(\.event)
            incidents = try await store.incidents(states: Set(IncidentState.allCases))
            alerts = try await store.alerts(of: 7) + store.alerts(of: 8)
            timeline = try await store.timeline(of: 7) + store.timeline(of: 8)
            outbox = try await store.dueOutbox(before: .distantFuture)
            engineState = try await store.engineState()
            journal = try await store.sourcePosition("journal")
        }
    }

    @Test(arguments: Backend.allCases) func aBatchThatFailsHalfwayLeavesNothingBehind(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(
                StoreBatch(
                    events: [sampleEvent()], incidents: [fullIncident()], alerts: [sampleAlert(incident: 7)],
                    timeline: [(7, TimelineEntry(at: t(0), type: "opened", detail: ""))], notifications: [page(7)],
                    engineState: Data([1]), sourcePositions: ["journal": "cursor-1"], at: t(0)))
            let before = try await Contents(store)

            var changed = fullIncident()
            changed.state = .closed
            // The last alert has no incident: its NOT NULL column makes SQLite refuse it after every other
            // part of the batch has been written inside the transaction.
            let bad = StoreBatch(
                events: [sampleEvent(at: 5), fullEvent()], incidents: [changed, bareIncident()],
                alerts: [sampleAlert(incident: 8, host: "db9"), sampleAlert(incident: nil, host: "db3")],
                timeline: [(8, TimelineEntry(at: t(5), type: "opened", detail: ""))],
                notifications: [page(8), page(7, step: 1)], engineState: Data([2]),
                sourcePositions: ["journal": "cursor-2"], at: t(5))
            await #expect {
                _ = try await store.commit(bad)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .constraint && error.message.contains("nothing of it was written")
            }
            #expect(try await Contents(store) == before)

            // The store still takes writes, and event ids carry on as if the failed batch never happened.
            let ids = try await store.commit(StoreBatch(events: [sampleEvent(at: 6)], at: t(6)))
            #expect(ids == [2])

            // Every statement the failed batch ran runs again, the one that failed included.
            _ = try await store.commit(
                StoreBatch(
                    events: [sampleEvent(at: 7)], incidents: [bareIncident()],
                    alerts: [sampleAlert(incident: 8, host: "db3")],
                    timeline: [(8, TimelineEntry(at: t(7), type: "opened", detail: ""))], at: t(7)))
            #expect(try await store.alerts(of: 8).map { $0.labels["host"] } == ["db3"])
            #expect(try await store.incidents(states: [.open]).map(\.groupKey) == [""])
        }
    }
}
