import Foundation
import IncidentCore
import IncidentStore
import TestSupport
import Testing

@Suite struct ConcurrencyTests {
    @Test(.heavyLoad, .serialized, arguments: Backend.allCases) func readersRunWhileAWriterCommits(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            let batches = 300
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for n in 1...batches {
                        var incident = bareIncident(n, openedAt: t(Int64(n)))
                        incident.events = 1
                        _ = try await store.commit(
                            StoreBatch(
                                events: [sampleEvent(host: "h\(n)", at: Int64(n))], incidents: [incident],
                                alerts: [sampleAlert(incident: n, host: "h\(n)")],
                                timeline: [(n, TimelineEntry(at: t(Int64(n)), type: "opened", detail: ""))],
                                notifications: [page(n)], engineState: Data("\(n)".utf8),
                                sourcePositions: ["journal": "\(n)"], at: t(Int64(n))))
                    }
                }
                group.addTask {
                    var lastSeen = 0
                    // Ends with the writer too: when it fails, the group cancels this task.
                    while lastSeen < batches && !Task.isCancelled {
                        // Each read sees a whole number of batches: counts never go backwards and never split.
                        let count = try await store.eventCount()
                        #expect(count >= lastSeen)
                        lastSeen = count
                        let listed = try await store.activeIncidents(limit: 5)
                        if let newest = listed.first {
                            #expect(try await store.alerts(of: newest.number).count == 1)
                        }
                        _ = try await store.dueOutbox(before: .distantFuture, limit: 10)
                        _ = try await store.engineState()
                        await Task.yield()
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.eventCount() == batches)
            #expect(try await store.dueOutbox(before: .distantFuture, limit: 1000).count == batches)
            #expect(try await store.engineState() == Data("\(batches)".utf8))
            #expect(try await store.sourcePosition("journal") == "\(batches)")
        }
    }
}
