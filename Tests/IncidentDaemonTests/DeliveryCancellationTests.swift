import Foundation
import IncidentCore
import IncidentNotify
import IncidentStore
import Logging
import TestSupport
import Testing

@testable import IncidentDaemon

/// The delivery service's side of a cancellation: a row it read before the acknowledgement committed (the
/// backlog waiting for a slot, or the pass in progress) is not sent.
extension DeliveryServiceTests {
    func cancel(step: Int = 0) async throws {
        let cancellation = NotificationCancellation(
            incident: 1, steps: [.init(policy: "default", step: step)], at: now, reason: "acknowledged by ann")
        _ = try await store.commit(StoreBatch(cancellations: [cancellation], at: now))
    }

    @Test func aRowCancelledAfterItWasReadIsNotSent() async throws {
        try await queue(["oncall"])
        let entry = try #require(try await store.dueOutbox(before: .distantFuture, limit: 10).first)
        try await cancel()
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = DeliveryService(
            store: store, notifiers: NotifierRegistry(["oncall": target(oncall)]), metrics: DaemonMetrics(),
            board: board, logger: Logger(label: "test"), wakeup: DeliveryWakeup())
        await service.deliver(entry)
        #expect(oncall.requests.isEmpty, "a cancelled row was sent")
        #expect(try await timeline().filter { !$0.hasPrefix("notification_cancelled:") }.isEmpty)
    }

    @Test func aCancelledRowStopsRetryingWhileOthersGoOn() async throws {
        try await queue(["oncall"])
        // Another incident's page, which the cancellation does not concern.
        let other = IncidentCore.Notification(
            incident: 2, notifier: "witness", policy: "default", step: 0, round: 0, due: now)
        _ = try await store.commit(StoreBatch(notifications: [other], at: now))
        let boom = DeliveryOutcome.retry(DeliveryFailure("http_5xx", "HTTP 500: boom"))
        let oncall = ScriptedNotifier("oncall", [boom])
        let witness = ScriptedNotifier("witness", [boom])
        // The witness retries every 10 ms, not on a doubling backoff: under a loaded machine its attempt count at
        // the cancellation is unknown, and ten more doublings from there could take hours.
        let steady = NotifierTarget(
            notifier: witness,
            retry: RetryPolicy(maxAttempts: 1000, initial: .milliseconds(10), max: .milliseconds(10)),
            fallback: nil, concurrency: 1)
        let service = run(["oncall": target(oncall), "witness": steady])
        try await waitUntil("two attempts of the oncall row") { oncall.requests.count >= 2 }
        try await cancel()
        let atCancel = oncall.requests.count
        let witnessAtCancel = witness.requests.count
        // The witness row keeps failing on the same schedule: ten more of its attempts is ample time for the
        // cancelled row to have been tried again, were it still pending.
        try await waitUntil("ten more attempts of the witness row") { witness.requests.count >= witnessAtCancel + 10 }
        service.cancel()
        #expect(oncall.requests.count <= atCancel + 1, "the cancelled row was tried again")
        #expect(try await timeline().contains { $0.hasPrefix("notification_cancelled: oncall INC-1/0/0") })
    }
}
