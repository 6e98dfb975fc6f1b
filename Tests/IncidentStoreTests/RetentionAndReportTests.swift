import Foundation
import IncidentCore
import IncidentStore
import Testing

@Suite struct RetentionAndReportTests {
    @Test(arguments: Backend.allCases) func purgeDeletesOnlyEventsReceivedBeforeTheCutoff(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            let ids = try await store.commit(
                StoreBatch(
                    events: (0..<10).map { sampleEvent(at: Int64($0) * 10) }, incidents: [fullIncident()],
                    timeline: [(7, TimelineEntry(at: t(0), type: "opened", detail: ""))],
                    engineState: Data("covers all ten".utf8), at: t(100)))
            #expect(try await store.purgeEvents(olderThan: t(40)) == 4)
            #expect(try await store.eventCount() == 6)
            #expect(try await store.events(after: 0, limit: 100).map(\.id) == Array(ids[4...]))
            #expect(try await store.purgeEvents(olderThan: t(40)) == 0)
            // Retention is for raw events only: the incident and its history stay.
            #expect(try await store.incident(7) == fullIncident())
            #expect(try await store.timeline(of: 7).count == 1)
        }
    }

    /// The count `/metrics` shows follows every commit and purge once it has been read, a refused batch changes
    /// nothing, and the store opened again counts the same.
    @Test(arguments: Backend.allCases) func theEventCountFollowsCommitsAndPurges(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.eventCount() == 0)
            let ids = try await store.commit(
                StoreBatch(
                    events: (0..<20).map { sampleEvent(at: Int64($0) * 10) },
                    engineState: Data("covers all twenty".utf8), at: t(200)))
            #expect(ids.count == 20)
            #expect(try await store.eventCount() == 20)
            #expect(try await store.purgeEvents(olderThan: t(40)) == 4)
            #expect(try await store.eventCount() == 16)
            // Refused as a whole (an alert without an incident): neither its events nor its count stay.
            let bad = StoreBatch(
                events: [sampleEvent(at: 300), sampleEvent(at: 301)],
                alerts: [sampleAlert(incident: nil, host: "db3")], at: t(301))
            await #expect(throws: StoreError.self) { _ = try await store.commit(bad) }
            #expect(try await store.eventCount() == 16)
            _ = try await store.commit(StoreBatch(events: [sampleEvent(at: 400)], at: t(400)))
            #expect(try await store.eventCount() == 17)
            #expect(try await store.events(after: 0, limit: 100).count == 17)
        }
    }

    @Test func aStoreOpenedAgainCountsTheEventsItHolds() async throws {
        try await withStore { store, path in
            _ = try await store.commit(StoreBatch(events: (0..<5).map { sampleEvent(at: Int64($0)) }, at: t(5)))
            #expect(try await store.eventCount() == 5)
            try store.close()
            let again = try SQLiteStore(path: path)
            #expect(try await again.eventCount() == 5)
            _ = try await again.commit(StoreBatch(events: [sampleEvent(at: 9)], at: t(9)))
            #expect(try await again.eventCount() == 6)
        }
    }

    func incident(
        _ number: Int, _ kind: IncidentKind, _ priority: Priority, opened: Int64, acked: Timestamp?,
        resolved: Int64?
    ) -> Incident {
        var incident = bareIncident(number, openedAt: t(opened))
        incident.kind = kind
        incident.priority = priority
        incident.acknowledgedAt = acked
        incident.resolvedAt = resolved.map(t)
        incident.state = resolved == nil ? (acked == nil ? .open : .acknowledged) : .resolved
        return incident
    }

    @Test(arguments: Backend.allCases) func reportAveragesOverTheIncidentsThatGotThere(_ backend: Backend) async throws
    {
        try await withStore(backend) { store, _ in
            let halfSecondLate = Timestamp(microseconds: t(220).microseconds + 500_000)
            _ = try await store.commit(
                StoreBatch(
                    incidents: [
                        incident(1, .outage, .p1, opened: 0, acked: t(60), resolved: 600),
                        incident(2, .outage, .p1, opened: 100, acked: halfSecondLate, resolved: nil),
                        incident(3, .outage, .p2, opened: 200, acked: nil, resolved: nil),
                        incident(4, .security, .p1, opened: 300, acked: t(330), resolved: 630),
                        // Resolved without being acknowledged: counts for MTTR only.
                        incident(5, .security, .p1, opened: 400, acked: nil, resolved: 490),
                        // Opened before the period: left out.
                        incident(6, .outage, .p1, opened: -1000, acked: t(-990), resolved: -900),
                    ], at: t(700)))
            let report = try await store.report(since: t(0))
            #expect(
                report == [
                    // (60 + 120.5) / 2 and 600 / 1
                    ReportLine(
                        kind: .outage, priority: .p1, count: 2, meanTimeToAcknowledge: 90.25, meanTimeToResolve: 600),
                    // 30 / 1 and (330 + 90) / 2
                    ReportLine(
                        kind: .security, priority: .p1, count: 2, meanTimeToAcknowledge: 30, meanTimeToResolve: 210),
                    ReportLine(
                        kind: .outage, priority: .p2, count: 1, meanTimeToAcknowledge: nil, meanTimeToResolve: nil),
                ])
            #expect(try await store.report(since: t(250)).map(\.count) == [2])
            #expect(try await store.report(since: t(1000)).isEmpty)
        }
    }
}

@Suite struct CheckpointTests {
    @Test(arguments: Backend.allCases) func aCheckpointCoversTheEventsCommittedWithAndBeforeIt(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(StoreBatch(events: [sampleEvent(), sampleEvent()], at: .zero))
            _ = try await store.commit(StoreBatch(events: [sampleEvent()], engineState: Data("s1".utf8), at: .zero))
            _ = try await store.commit(StoreBatch(events: [sampleEvent()], at: .zero))
            let checkpoint = try #require(try await store.engineCheckpoint())
            #expect(checkpoint.data == Data("s1".utf8))
            #expect(checkpoint.throughEvent == 3)
            #expect(try await store.events(after: checkpoint.throughEvent, limit: 10).map(\.id) == [4])
        }
    }

    @Test(arguments: Backend.allCases) func retentionNeverPurgesEventsARestartMustReplay(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(StoreBatch(events: [sampleEvent()], engineState: Data("s".utf8), at: .zero))
            _ = try await store.commit(StoreBatch(events: [sampleEvent(), sampleEvent()], at: .zero))
            let purged = try await store.purgeEvents(olderThan: Timestamp(microseconds: Int64.max / 4))
            #expect(purged == 1)
            #expect(try await store.eventCount() == 2)
        }
    }

    @Test(arguments: Backend.allCases) func aTimelineLineCommittedTwiceIsKeptOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let incident = bareIncident(1)
            let line = TimelineEntry(at: Timestamp(microseconds: 5), type: "notified", detail: "oncall step 0")
            for _ in 0..<2 {
                _ = try await store.commit(StoreBatch(incidents: [incident], timeline: [(1, line)], at: .zero))
            }
            #expect(try await store.timeline(of: 1) == [line])
        }
    }
}
