import Foundation
import GRDB
import IncidentCore
import IncidentStore
import Testing

/// The store's side of "Acknowledge stops it": a cancellation moves the matching pending rows to `cancelled`,
/// with a timeline line each, in the transaction that records the acknowledgement.
@Suite struct OutboxCancellationTests {
    func ack(_ incident: Int, steps: [Int], policy: String = "default", at time: Timestamp = t(10))
        -> NotificationCancellation
    {
        NotificationCancellation(
            incident: incident, steps: steps.map { .init(policy: policy, step: $0) }, at: time,
            reason: "acknowledged by ann")
    }

    func states(_ probe: StoreProbe) async throws -> [String] {
        try await probe.lines("SELECT notifier || ' ' || idempotency_key || ' ' || state FROM outbox ORDER BY id")
    }

    @Test(arguments: Backend.allCases) func onlyTheNamedStepsPendingRowsAreCancelledAndEachIsInTheTimeline(
        _ backend: Backend
    ) async throws {
        try await withStore(backend) { store, probe in
            var lifecycle = page(7, step: -1, due: t(5))
            lifecycle.moment = "ack"
            var otherPolicy = page(7, notifier: "chat", step: 1)
            otherPolicy.policy = "other"
            _ = try await store.commit(
                StoreBatch(
                    notifications: [
                        page(7), page(7, notifier: "chat"), page(7, step: 1), page(7, step: 2), page(8),
                        lifecycle, otherPolicy, page(7, step: 1, round: 1, due: t(20)),
                    ], at: t(0)))
            let delivered = try #require(
                try await store.dueOutbox(before: t(100)).first { $0.notification.notifier == "chat" })
            try await store.markDelivered(id: delivered.id, at: t(1))
            let failing = try #require(
                try await store.dueOutbox(before: t(100)).first {
                    $0.idempotencyKey == "INC-7/1/0" && $0.notification.policy == "default"
                })
            try await store.recordAttempt(id: failing.id, error: "HTTP 503", nextAttempt: t(12))

            _ = try await store.commit(StoreBatch(cancellations: [ack(7, steps: [0, 1])], at: t(10)))
            #expect(
                try await states(probe) == [
                    "pager INC-7/0/0 cancelled", "chat INC-7/0/0 delivered", "pager INC-7/1/0 cancelled",
                    "pager INC-7/2/0 pending", "pager INC-8/0/0 pending",
                    "pager INC-7/ack/\(t(5).microseconds) pending",
                    "chat INC-7/1/0 pending", "pager INC-7/1/1 pending",
                ])
            // Not due, not pending, not late.
            let due = try await store.dueOutbox(before: .distantFuture).map(\.idempotencyKey)
            #expect(!due.contains("INC-7/0/0"))
            #expect(due.count == 5)
            #expect(try await store.outboxStatus(at: t(100)).pending == 5)
            #expect(try await store.nextOutboxAttempt() == t(0))

            let lines = try await store.timeline(of: 7).filter { $0.type == "notification_cancelled" }
            #expect(
                lines.map(\.detail) == [
                    "pager INC-7/0/0 (policy 'default' step 0 round 0): acknowledged by ann; not sent, no further attempts",
                    "pager INC-7/1/0 (policy 'default' step 1 round 0): acknowledged by ann; 1 failed attempt (last: HTTP 503), no further attempts",
                ])
            #expect(lines.allSatisfy { $0.at == t(10) })

            // Replayed after a restart: nothing changes and no line repeats.
            _ = try await store.commit(StoreBatch(cancellations: [ack(7, steps: [0, 1])], at: t(11)))
            #expect(try await store.timeline(of: 7).filter { $0.type == "notification_cancelled" }.count == 2)
        }
    }

    /// What an attempt reads just before it: the incident and its latest alert while the row is pending, nil
    /// once an acknowledgement cancelled it.
    @Test(arguments: Backend.allCases) func anAttemptReadsItsIncidentAndAlertOnlyWhilePending(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            let incident = fullIncident(7)
            let old = sampleAlert(incident: 7, host: "db1", events: 2)
            let late = sampleAlert(incident: 7, host: "db2", events: 9)
            _ = try await store.commit(
                StoreBatch(
                    incidents: [incident, bareIncident(8)],
                    alerts: [old, late, sampleAlert(incident: 8, host: "db3", events: 50)],
                    notifications: [page(7), page(9, notifier: "chat")], at: t(0)))
            let rows = try await store.dueOutbox(before: t(100))
            let seven = try #require(rows.first { $0.notification.incident == 7 })
            let context = try await store.attemptContext(outbox: seven.id, attempts: 0, incident: 7)
            #expect(context == OutboxAttemptContext(incident: incident, latestAlert: late))
            // A page for an incident the store does not hold still goes out, without it.
            let nine = try #require(rows.first { $0.notification.incident == 9 })
            #expect(
                try await store.attemptContext(outbox: nine.id, attempts: 0, incident: 9)
                    == OutboxAttemptContext(incident: nil, latestAlert: nil))
            // A copy taken before an attempt (a row handed over at its commit, read again since) is stale: the
            // retry waits for its own time.
            try await store.recordAttempt(id: nine.id, error: "HTTP 503", nextAttempt: t(60))
            #expect(try await store.attemptContext(outbox: nine.id, attempts: 0, incident: 9) == nil)
            #expect(try await store.attemptContext(outbox: nine.id, attempts: 1, incident: 9) != nil)
            _ = try await store.commit(StoreBatch(cancellations: [ack(7, steps: [0])], at: t(10)))
            #expect(try await store.attemptContext(outbox: seven.id, attempts: 0, incident: 7) == nil)
            #expect(try await store.attemptContext(outbox: 999_999, attempts: 0, incident: 7) == nil)
        }
    }

    @Test(arguments: Backend.allCases) func aSettlementArrivingForACancelledRowIsHarmless(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, probe in
            _ = try await store.commit(StoreBatch(notifications: [page(7), page(7, notifier: "chat")], at: t(0)))
            let rows = try await store.dueOutbox(before: t(100))
            #expect(try await store.isPending(outbox: rows[0].id))
            _ = try await store.commit(StoreBatch(cancellations: [ack(7, steps: [0])], at: t(10)))
            #expect(try await !store.isPending(outbox: rows[0].id))

            // The attempts were in flight when the acknowledgement committed.
            var fallback = rows[0].notification
            fallback.notifier = "archive"
            let results = try await store.settle([
                OutboxSettlementItem(
                    entry: rows[0], settlement: .failed(error: "HTTP 503", fallback: fallback),
                    line: TimelineEntry(at: t(11), type: "notify_failed", detail: "pager INC-7/0/0 attempt 1 failed")),
                OutboxSettlementItem(
                    entry: rows[1], settlement: .delivered(at: t(11), detail: "HTTP 200"),
                    line: TimelineEntry(at: t(11), type: "notified", detail: "chat INC-7/0/0 attempt 1: HTTP 200")),
            ])
            #expect(results.allSatisfy { $0 == nil }, "\(results)")
            // Still cancelled (a late delivery is recorded as delivered: the page did go out), no fallback queued,
            // and the attempt is in the timeline.
            #expect(try await states(probe) == ["pager INC-7/0/0 cancelled", "chat INC-7/0/0 delivered"])
            #expect(try await store.timeline(of: 7).contains { $0.type == "notify_failed" })
        }
    }

    @Test(arguments: Backend.allCases) func aDeliveryLandingOnACancelledRowRecordsThePageWentOut(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, probe in
            _ = try await store.commit(StoreBatch(notifications: [page(7)], at: t(0)))
            let row = try #require(try await store.dueOutbox(before: t(100)).first)
            _ = try await store.commit(StoreBatch(cancellations: [ack(7, steps: [0])], at: t(10)))
            let results = try await store.settle([
                OutboxSettlementItem(
                    entry: row, settlement: .delivered(at: t(11), detail: "HTTP 200"),
                    line: TimelineEntry(at: t(11), type: "notified", detail: "pager INC-7/0/0 attempt 1: HTTP 200"))
            ])
            #expect(results.allSatisfy { $0 == nil })
            #expect(try await states(probe) == ["pager INC-7/0/0 delivered"])
        }
    }
}
