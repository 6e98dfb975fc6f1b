import Foundation
import GRDB
import IncidentCore
import IncidentStore
import Testing

@Suite struct OutboxTests {
    @Test(arguments: Backend.allCases) func aKeyIsNeverQueuedTwiceForANotifier(_ backend: Backend) async throws {
        try await withStore(backend) { store, probe in
            _ = try await store.commit(StoreBatch(notifications: [page(7), page(7, notifier: "chat")], at: t(0)))
            // The same step again, in the same batch and in a later one (as after a restart from older state),
            // with a different due time: the first row stays as it was.
            _ = try await store.commit(
                StoreBatch(notifications: [page(7, due: t(50)), page(7, due: t(60)), page(7, step: 1)], at: t(1)))
            let due = try await store.dueOutbox(before: .distantFuture)
            #expect(due.map(\.notification.notifier) == ["pager", "chat", "pager"])
            #expect(due.map(\.idempotencyKey) == ["INC-7/0/0", "INC-7/0/0", "INC-7/1/0"])
            #expect(due[0].notification.due == t(0))

            // Delivered rows stay in the table, so a later duplicate is still ignored.
            try await store.markDelivered(id: due[0].id, at: t(2))
            _ = try await store.commit(StoreBatch(notifications: [page(7)], at: t(3)))
            #expect(try await store.dueOutbox(before: .distantFuture).map(\.id) == [due[1].id, due[2].id])
            let rows = try await probe.lines(
                "SELECT notifier || ' ' || idempotency_key || ' ' || state FROM outbox ORDER BY id")
            #expect(rows == ["pager INC-7/0/0 delivered", "chat INC-7/0/0 pending", "pager INC-7/1/0 pending"])
        }
    }

    /// What the delivery starts without reading the outbox back: the report must be the rows a read would give.
    @Test(arguments: Backend.allCases) func aCommitReportsTheRowsItQueuedAsTheOutboxHoldsThem(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            var person = page(7, step: 1, due: t(40))
            person.user = "alice"
            let first = try await store.commitReporting(
                StoreBatch(
                    events: [sampleEvent()], notifications: [page(7), page(7, notifier: "chat"), person], at: t(0)))
            #expect(first.eventIDs.count == 1)
            // PostgreSQL does not report them (see `PostgresStore.commit`): its delivery reads the outbox.
            guard backend == .sqlite else {
                #expect(first.queued == nil)
                return
            }
            let queued = try #require(first.queued)
            #expect(queued == (try await store.dueOutbox(before: .distantFuture)))
            #expect(queued.map(\.idempotencyKey) == ["INC-7/0/0", "INC-7/0/0", "INC-7/1/0"])
            #expect(queued.map(\.notification.user) == [nil, nil, "alice"])
            #expect(queued.map(\.nextAttempt) == [t(0), t(0), t(40)])

            // A key already queued is not queued again, and not reported: only the new row is.
            let second = try await store.commitReporting(
                StoreBatch(notifications: [page(7), page(8)], at: t(1)))
            #expect(try #require(second.queued).map(\.idempotencyKey) == ["INC-8/0/0"])
            #expect(
                try #require(second.queued).map(\.id)
                    == (try await store.dueOutbox(before: .distantFuture)).filter { $0.notification.incident == 8 }
                    .map(\.id))
            #expect(try await store.commitReporting(StoreBatch(notifications: [page(8)], at: t(2))).queued == [])

            // An acknowledgement in the same batch may cancel a row just queued: the report leaves them to a read.
            let acked = try await store.commitReporting(
                StoreBatch(
                    notifications: [page(9)],
                    cancellations: [
                        NotificationCancellation(
                            incident: 9, steps: [.init(policy: "default", step: 0)], at: t(3), reason: "acknowledged")
                    ], at: t(3)))
            #expect(acked.queued == nil)
            #expect(
                try await store.dueOutbox(before: .distantFuture).map(\.idempotencyKey).contains("INC-9/0/0") == false)
        }
    }

    @Test(arguments: Backend.allCases) func aPageForAPersonKeepsTheirNameAndAnIncidentItsSilencedFlag(
        _ backend: Backend
    ) async throws {
        try await withStore(backend) { store, _ in
            var person = page(7)
            person.user = "alice"
            var incident = fullIncident()
            incident.silenced = true
            _ = try await store.commit(StoreBatch(incidents: [incident], notifications: [person, page(8)], at: t(0)))
            let due = try await store.dueOutbox(before: .distantFuture)
            #expect(due.map(\.notification.user) == ["alice", nil])
            #expect(try await store.incident(incident.number)?.silenced == true)
        }
    }

    @Test(arguments: Backend.allCases) func theStatusCountsPendingRowsAndDatesTheOldestDueOne(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            #expect(try await store.outboxStatus(at: t(0)) == OutboxStatus(pending: 0, oldestDue: nil))
            _ = try await store.commit(
                StoreBatch(notifications: [page(1, due: t(30)), page(2, due: t(10)), page(3, due: t(20))], at: t(0)))
            #expect(try await store.outboxStatus(at: t(5)) == OutboxStatus(pending: 3, oldestDue: nil))
            #expect(try await store.outboxStatus(at: t(25)) == OutboxStatus(pending: 3, oldestDue: t(10)))
            let first = try #require(try await store.dueOutbox(before: t(25)).first)
            try await store.markDelivered(id: first.id, at: t(26))
            #expect(try await store.outboxStatus(at: t(25)) == OutboxStatus(pending: 2, oldestDue: t(20)))
            // A row waiting out a backoff is still late.
            let second = try #require(try await store.dueOutbox(before: t(25)).first)
            try await store.recordAttempt(id: second.id, error: "HTTP 503", nextAttempt: t(300))
            #expect(try await store.outboxStatus(at: t(25)) == OutboxStatus(pending: 2, oldestDue: t(20)))
        }
    }

    @Test(arguments: Backend.allCases) func eachNotifierGetsItsOwnDueRowsWhateverTheOthersBacklog(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            // 300 old pages for the pager, then one newer page for chat.
            let backlog = (1...300).map { page($0, due: t(Int64($0 % 7))) }
            _ = try await store.commit(StoreBatch(notifications: backlog, at: t(0)))
            _ = try await store.commit(StoreBatch(notifications: [page(301, notifier: "chat", due: t(20))], at: t(0)))
            // A notifier between the two (by name) with nothing due yet: the others' rows are still found.
            _ = try await store.commit(StoreBatch(notifications: [page(302, notifier: "mail", due: t(99))], at: t(0)))
            let due = try await store.dueOutbox(before: t(30), limit: 10)
            #expect(!due.contains { $0.notification.notifier == "mail" })
            #expect(due.filter { $0.notification.notifier == "chat" }.map(\.notification.incident) == [301])
            let pager = due.filter { $0.notification.notifier == "pager" }
            #expect(pager.count == 10)
            // Still the earliest ten of the pager's, earliest first.
            #expect(pager.map(\.nextAttempt) == pager.map(\.nextAttempt).sorted())
            #expect(pager.allSatisfy { $0.nextAttempt == t(0) })
            #expect(due.map(\.nextAttempt) == due.map(\.nextAttempt).sorted())
        }
    }

    @Test(arguments: Backend.allCases) func dueRowsComeEarliestFirstAndOnlyWhenDue(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(
                StoreBatch(
                    notifications: [
                        page(1, due: t(30)), page(2, due: t(10)), page(3, due: t(20)), page(4, due: t(10)),
                    ], at: t(0)))
            #expect(try await store.dueOutbox(before: t(9)).isEmpty)
            #expect(try await store.dueOutbox(before: t(10)).map(\.notification.incident) == [2, 4])
            #expect(try await store.dueOutbox(before: t(30)).map(\.notification.incident) == [2, 4, 3, 1])
            #expect(try await store.dueOutbox(before: t(30), limit: 2).map(\.notification.incident) == [2, 4])
            let first = try #require(try await store.dueOutbox(before: t(10)).first)
            #expect(first.state == .pending && first.attempts == 0 && first.nextAttempt == t(10))
            #expect(first.lastError == nil && first.deliveredAt == nil)
        }
    }

    @Test(arguments: Backend.allCases) func attemptsDeliveryAndFailureMoveRowsAlong(_ backend: Backend) async throws {
        try await withStore(backend) { store, probe in
            _ = try await store.commit(
                StoreBatch(notifications: [page(1), page(2), page(3)], at: t(0)))
            let rows = try await store.dueOutbox(before: t(0))
            let (a, b, c) = (rows[0].id, rows[1].id, rows[2].id)

            // A failed attempt pushes the row back until its next attempt.
            try await store.recordAttempt(id: a, error: "HTTP 503", nextAttempt: t(30))
            #expect(try await store.dueOutbox(before: t(29)).map(\.id) == [b, c])
            let retried = try #require(try await store.dueOutbox(before: t(30)).last)
            #expect(retried.id == a)
            #expect(retried.attempts == 1 && retried.lastError == "HTTP 503" && retried.nextAttempt == t(30))
            #expect(retried.state == .pending)

            try await store.markDelivered(id: a, at: t(31))
            try await store.markFailed(id: b, error: "no route")
            #expect(try await store.dueOutbox(before: .distantFuture).map(\.id) == [c])

            // A row leaves pending once: recording another outcome is refused and changes nothing.
            for attempt in [
                { try await store.markDelivered(id: a, at: t(40)) },
                { try await store.recordAttempt(id: b, error: "again", nextAttempt: t(50)) },
                { try await store.markFailed(id: 999, error: "x") },
            ] as [() async throws -> Void] {
                await #expect {
                    try await attempt()
                } throws: { error in
                    (error as? StoreError)?.code == .notPending && "\(error)".contains(probe.address)
                }
            }
            #expect(try await store.dueOutbox(before: .distantFuture).map(\.id) == [c])
        }
    }
}
