import Foundation
import IncidentCore
import IncidentEngine
import IncidentNotify
import IncidentStore
import Logging
import Synchronization
import TestSupport
import Testing

@testable import IncidentDaemon

/// A notifier that answers from a script of outcomes (the last one repeats) and records every request.
final class ScriptedNotifier: Notifier, Sendable {
    let name: String
    private let state: Mutex<(outcomes: [DeliveryOutcome], seen: [DeliveryRequest])>

    init(_ name: String, _ outcomes: [DeliveryOutcome]) {
        self.name = name
        state = Mutex((outcomes, []))
    }

    var requests: [DeliveryRequest] { state.withLock { $0.seen } }

    func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        state.withLock { s in
            s.seen.append(request)
            return s.outcomes.count > 1 ? s.outcomes.removeFirst() : s.outcomes[0]
        }
    }
}

/// A notifier whose receiver answers only once the test opens its gate.
final class GatedNotifier: Notifier, Sendable {
    let name: String
    let gate = Gate()

    init(_ name: String) { self.name = name }

    func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        await gate.pass()
        return .delivered(detail: "HTTP 200")
    }
}

/// The delivery service over a real SQLite outbox.
@Suite struct DeliveryServiceTests {
    let store: SQLiteStore
    let board = ReadinessBoard()
    let now = Timestamp.wallClock()

    init() throws {
        store = try SQLiteStore(path: tempDir() + "/incidentd.sqlite")
    }

    func queue(_ notifiers: [String], due: Timestamp? = nil) async throws {
        let incident = Incident(
            number: 1, title: "disk full on db1", kind: .degradation, state: .open, impact: .medium, urgency: .high,
            priority: .p2, rule: "disk", groupKey: "disk/db1", labels: ["host": "db1"], alerts: 1, events: 1,
            flapping: false, escalation: nil, openedAt: now)
        let notifications = notifiers.map {
            IncidentCore.Notification(incident: 1, notifier: $0, policy: "default", step: 0, round: 0, due: due ?? now)
        }
        _ = try await store.commit(StoreBatch(incidents: [incident], notifications: notifications, at: now))
    }

    func run(
        _ targets: [String: NotifierTarget], overdueAfter: Duration = .seconds(300),
        wakeup: DeliveryWakeup = DeliveryWakeup(), pollInterval: Duration = .milliseconds(20)
    ) -> Task<Void, any Error> {
        var service = service(targets, wakeup: wakeup)
        service.pollInterval = pollInterval
        service.overdueAfter = overdueAfter
        return Task { try await service.run() }
    }

    func service(_ targets: [String: NotifierTarget], wakeup: DeliveryWakeup = DeliveryWakeup()) -> DeliveryService {
        DeliveryService(
            store: store, notifiers: NotifierRegistry(targets), metrics: DaemonMetrics(), board: board,
            logger: Logger(label: "test"), wakeup: wakeup)
    }

    /// One row at a time per notifier, so that a notifier's requests come in the order the service took its
    /// rows (see `sentinel`).
    func target(_ notifier: any Notifier, attempts: Int = 24, fallback: String? = nil) -> NotifierTarget {
        NotifierTarget(
            notifier: notifier, retry: RetryPolicy(maxAttempts: attempts, initial: .milliseconds(10)),
            fallback: fallback, concurrency: 1)
    }

    /// Queues a message for incident 1 at escalation step `step` (idempotency key `INC-1/<step>/0`), due now.
    func queueStep(_ step: Int, for notifier: String) async throws {
        let n = IncidentCore.Notification(
            incident: 1, notifier: notifier, policy: "default", step: step, round: 0, due: now)
        _ = try await store.commit(StoreBatch(notifications: [n], at: now))
    }

    /// Proves that nothing more is sent for what the service already settled, without sleeping: queues a
    /// sentinel row for `notifier` and waits until it is delivered and settled. The service takes due rows in
    /// (next attempt, id) order and, with `target`'s concurrency of 1, a notifier's rows one after the other: a
    /// row it wrongly kept (a stale read, a lost settlement) would be handed out again before the sentinel, so
    /// once the sentinel is through, every such duplicate would already be in `requests`.
    func sentinel(_ notifier: ScriptedNotifier, step: Int = 9) async throws {
        try await queueStep(step, for: notifier.name)
        // Settled: the timeline line is written in the settlement's transaction. (Not "nothing pending": a row
        // retried later stays pending.)
        try await waitUntil("the sentinel INC-1/\(step)/0 is delivered and settled") {
            try await timeline().contains { $0.hasPrefix("notified: \(notifier.name) INC-1/\(step)/0 ") }
        }
    }

    /// Stops the service and waits until its loop has returned, so that no delivery is still running when the
    /// test reads what was sent.
    func stop(_ service: Task<Void, any Error>) async {
        service.cancel()
        _ = await service.result
    }

    func timeline() async throws -> [String] {
        try await store.timeline(of: 1).map { "\($0.type): \($0.detail)" }
    }

    @Test func aDeliveredRowIsSentOnceAndRecordedInTheTimeline() async throws {
        try await queue(["oncall"])
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = run(["oncall": target(oncall)])
        try await waitUntil("the outbox is settled") { try await store.outboxStatus(at: now).pending == 0 }
        // "Once": a second send of INC-1/0/0 would come before the sentinel's.
        try await sentinel(oncall)
        await stop(service)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0", "INC-1/9/0"])
        #expect(oncall.requests.first?.incident?.title == "disk full on db1")
        #expect(
            try await timeline() == [
                "notified: oncall INC-1/0/0 attempt 1: HTTP 200", "notified: oncall INC-1/9/0 attempt 1: HTTP 200",
            ])
    }

    @Test func failuresAreRetriedUntilAccepted() async throws {
        try await queue(["oncall"])
        let boom = DeliveryOutcome.retry(DeliveryFailure("http_5xx", "HTTP 500: boom"))
        let oncall = ScriptedNotifier("oncall", [boom, boom, .delivered(detail: "HTTP 200")])
        let service = run(["oncall": target(oncall)])
        try await waitUntil("the outbox is settled") { try await store.outboxStatus(at: now).pending == 0 }
        await stop(service)
        #expect(oncall.requests.map(\.attempt) == [1, 2, 3])
        let lines = try await timeline()
        try #require(lines.count == 3)
        #expect(lines[0].hasPrefix("notify_retry: oncall INC-1/0/0 attempt 1 failed: HTTP 500: boom; next attempt at"))
        #expect(lines[2] == "notified: oncall INC-1/0/0 attempt 3: HTTP 200")
    }

    @Test func retryAfterPushesTheNextAttemptOut() async throws {
        try await queue(["oncall"])
        let oncall = ScriptedNotifier(
            "oncall",
            [.retry(DeliveryFailure("http_429", "HTTP 429"), after: .seconds(30)), .delivered(detail: "HTTP 200")])
        let service = run(["oncall": target(oncall)])
        try await waitUntil("the first attempt is recorded") {
            try await store.dueOutbox(before: now + .seconds(3600), limit: 10).first?.attempts == 1
        }
        // Had the retry not been pushed out, INC-1/0/0 (due earlier) would be sent again before the sentinel.
        try await sentinel(oncall)
        await stop(service)
        let row = try #require(try await store.dueOutbox(before: now + .seconds(3600), limit: 10).first)
        #expect(row.notification.idempotencyKey == "INC-1/0/0")
        #expect(row.attempts == 1)
        #expect(row.nextAttempt - now > .seconds(29))
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0", "INC-1/9/0"])
    }

    @Test func aFinalFailureGoesToTheFallbackAtOnceUnderTheSameKey() async throws {
        try await queue(["oncall"])
        let oncall = ScriptedNotifier("oncall", [.final(DeliveryFailure("http_4xx", "HTTP 400, not retried"))])
        let backup = ScriptedNotifier("backup", [.delivered(detail: "appended")])
        let service = run(["oncall": target(oncall, fallback: "backup"), "backup": target(backup)])
        try await waitUntil("the fallback got its request") { backup.requests.count == 1 }
        try await waitUntil("the outbox is settled") { try await store.outboxStatus(at: now).pending == 0 }
        await stop(service)
        #expect(oncall.requests.count == 1)
        #expect(backup.requests.first?.idempotencyKey == "INC-1/0/0")
        #expect(
            try await timeline() == [
                "notify_failed: oncall INC-1/0/0 attempt 1 failed: HTTP 400, not retried; given up not retried; "
                    + "fallback backup queued",
                "notified: backup INC-1/0/0 attempt 1: appended",
            ])
    }

    @Test func theLastFailedAttemptQueuesTheFallback() async throws {
        try await queue(["oncall"])
        let oncall = ScriptedNotifier("oncall", [.retry(DeliveryFailure("connect", "connection refused"))])
        let backup = ScriptedNotifier("backup", [.delivered(detail: "ok")])
        let service = run(["oncall": target(oncall, attempts: 3, fallback: "backup"), "backup": target(backup)])
        try await waitUntil("the fallback got its request") { backup.requests.count == 1 }
        await stop(service)
        #expect(oncall.requests.count == 3)
        let lines = try await timeline()
        #expect(lines.filter { $0.hasPrefix("notify_retry") }.count == 2)
        #expect(
            lines.contains {
                $0.hasPrefix("notify_failed") && $0.hasSuffix("given up after 3 attempts; fallback backup queued")
            })
    }

    @Test func aFallbackCycleEndsAtTheFirstNotifierAlreadyTried() async throws {
        try await queue(["a"])
        let fail = DeliveryOutcome.final(DeliveryFailure("http_4xx", "HTTP 403, not retried"))
        let a = ScriptedNotifier("a", [fail])
        let b = ScriptedNotifier("b", [fail])
        let service = run(["a": target(a, fallback: "b"), "b": target(b, fallback: "a")])
        try await waitUntil("b got its request") { b.requests.count == 1 }
        // Pending 0 right after b's failure: its settlement queued no fallback back to a (a settlement that
        // queues one commits it in the same transaction, so the count would never reach 0).
        try await waitUntil("the outbox is settled") { try await store.outboxStatus(at: now).pending == 0 }
        // The sentinel goes the same way, a then b: a resend of INC-1/0/0 to either would come before it.
        try await queueStep(9, for: "a")
        try await waitUntil("the sentinel INC-1/9/0 went through a and b") {
            try await store.outboxStatus(at: now).pending == 0
                && b.requests.contains { $0.notification.idempotencyKey == "INC-1/9/0" }
        }
        await stop(service)
        #expect(a.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0", "INC-1/9/0"])
        #expect(b.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0", "INC-1/9/0"])
    }

    @Test func anOverdueRowIsShownInReadinessUntilItIsDelivered() async throws {
        try await queue(["oncall"], due: now - .seconds(600))
        let oncall = ScriptedNotifier(
            "oncall",
            [
                .retry(DeliveryFailure("http_5xx", "HTTP 503")), .retry(DeliveryFailure("http_5xx", "HTTP 503")),
                .retry(DeliveryFailure("http_5xx", "HTTP 503")), .delivered(detail: "HTTP 200"),
            ])
        let service = run(["oncall": target(oncall)], overdueAfter: .seconds(60))
        try await waitUntil("readiness shows escalation overdue") { board.snapshot.problems["escalation"] != nil }
        #expect(board.snapshot.problems["escalation"]?.hasPrefix("escalation overdue: a notification due at") == true)
        let figures = EngineFigures(
            stats: EngineStats(), workingIncidents: 1, workingAlerts: 1, pendingEvents: 0, timers: 1, queuedEvents: 0)
        let status = StatusService.status(figures, escalation: board.snapshot.problems["escalation"])
        #expect(status.contains("queued; escalation overdue: a notification due at"), "\(status)")
        #expect(!board.snapshot.isReady, "/readyz answers 503 while escalation is overdue")
        try await waitUntil("readiness no longer shows escalation overdue") {
            board.snapshot.problems["escalation"] == nil
        }
        await stop(service)
        #expect(oncall.requests.count == 4)
    }

    @Test func aRowForAnUnknownNotifierIsGivenUpWithAReason() async throws {
        try await queue(["gone"])
        let service = run([:])
        try await waitUntil("the outbox is settled") { try await store.outboxStatus(at: now).pending == 0 }
        await stop(service)
        #expect(
            try await timeline() == [
                "notify_failed: notifier 'gone' is not in the config; the message is given up"
            ])
    }

    /// A backlog larger than a read's share is sent read after read, not a read's worth per poll: with the poll
    /// an hour away, a service that waited for it would stop after the first four.
    @Test func aBacklogLargerThanOneReadIsSentWithoutWaitingForThePoll() async throws {
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let notifications = (0..<10).map {
            IncidentCore.Notification(incident: 1, notifier: "oncall", policy: "default", step: $0, round: 0, due: now)
        }
        _ = try await store.commit(StoreBatch(notifications: notifications, at: now))
        var service = service(["oncall": target(oncall)])
        service.pollInterval = .seconds(3600)
        service.readLimit = 4
        let running = Task { [service] in try await service.run() }
        try await waitUntil("all ten are delivered") { try await store.outboxStatus(at: now).pending == 0 }
        await stop(running)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == (0..<10).map { "INC-1/\($0)/0" })
    }

    /// The same with a second notifier whose rows wait behind a receiver that does not answer: the first
    /// notifier's backlog goes out read after read all the same, not a read's worth per poll.
    @Test func aBacklogIsReadOnWhileAnotherNotifiersRowsWait() async throws {
        let pager = ScriptedNotifier("pager", [.delivered(detail: "HTTP 200")])
        let stuck = GatedNotifier("stuck")
        let notifications = ["pager", "stuck"].flatMap { name in
            (0..<10).map {
                IncidentCore.Notification(incident: 1, notifier: name, policy: "default", step: $0, round: 0, due: now)
            }
        }
        _ = try await store.commit(StoreBatch(notifications: notifications, at: now))
        var service = service(["pager": target(pager), "stuck": target(stuck)])
        service.pollInterval = .seconds(3600)
        service.readLimit = 4
        let running = Task { [service] in try await service.run() }
        try await waitUntil("all ten of pager are delivered while stuck's first waits") {
            try await timeline().filter { $0.hasPrefix("notified: pager ") }.count == 10
        }
        #expect(stuck.gate.arrivals == 1, "stuck's first row is still at its receiver")
        stuck.gate.open()
        try await waitUntil("stuck's ten are delivered") {
            try await store.outboxStatus(at: now).pending == 0
        }
        await stop(running)
        #expect(pager.requests.map(\.notification.idempotencyKey) == (0..<10).map { "INC-1/\($0)/0" })
    }

    /// The decision to read ahead of the poll, driven directly: only for a notifier whose share the last read
    /// filled, once none of its rows waits for a slot, and only after an outcome was recorded since the read
    /// (rows that end unsettled, as a deposed leader's do, stay pending: reading them again at once would hand
    /// them out again as fast as the store answers).
    @Test func theServiceReadsAheadOnlyForADrainedNotifierAfterAnOutcome() {
        func row(_ notifier: String) -> OutboxEntry {
            OutboxEntry(
                id: 1,
                notification: IncidentCore.Notification(
                    incident: 1, notifier: notifier, policy: "default", step: 0, round: 0, due: now),
                state: .pending, attempts: 0, nextAttempt: now, lastError: nil, deliveredAt: nil)
        }
        #expect(DeliveryService.readsAhead(filled: ["pager"], waiting: [], recordedSinceRead: true))
        #expect(DeliveryService.readsAhead(filled: ["pager", "chat"], waiting: [row("chat")], recordedSinceRead: true))
        #expect(!DeliveryService.readsAhead(filled: ["pager"], waiting: [row("pager")], recordedSinceRead: true))
        #expect(!DeliveryService.readsAhead(filled: ["pager"], waiting: [], recordedSinceRead: false))
        #expect(!DeliveryService.readsAhead(filled: [], waiting: [], recordedSinceRead: true))
        let rows = (0..<4).map { _ in row("pager") } + [row("chat")]
        #expect(DeliveryService.filled(rows, limit: 4) == ["pager"])
        #expect(DeliveryService.filled(rows, limit: 5).isEmpty)
    }

    /// Starts the service with its poll an hour away and waits until its first pass (a read of the empty outbox)
    /// is over: from then on only a feed, a poke or a due time it knows of starts anything.
    func runParked(_ targets: [String: NotifierTarget], wakeup: DeliveryWakeup) async throws -> Task<Void, any Error> {
        let service = run(targets, wakeup: wakeup, pollInterval: .seconds(3600))
        try await waitUntil("the service waits after its first pass") { wakeup.isWaiting }
        return service
    }

    /// The row is started as handed over, without a read: the store holds it as due in an hour, so a read (or
    /// a feed that only asked for one) would not send it now; the copy handed over says it is due now.
    @Test func rowsACommitReportsAreSentWithoutReadingTheOutbox() async throws {
        let wakeup = DeliveryWakeup()
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = try await runParked(["oncall": target(oncall)], wakeup: wakeup)
        let n = IncidentCore.Notification(
            incident: 1, notifier: "oncall", policy: "default", step: 0, round: 0, due: now + .seconds(3600))
        let report = try await store.commitReporting(StoreBatch(notifications: [n], at: now))
        var copy = try #require(report.queued?.first)
        copy.nextAttempt = now
        wakeup.feed([copy])
        try await waitUntil("the fed row is delivered and settled") {
            try await timeline().contains { $0.hasPrefix("notified: oncall INC-1/0/0 ") }
        }
        await stop(service)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0"])
        #expect(try await store.outboxStatus(at: now).pending == 0)
    }

    /// A fed row due later is not sent early, and not forgotten: the loop sleeps until its time, then reads.
    @Test func aFedRowDueLaterIsSentAtItsTime() async throws {
        let wakeup = DeliveryWakeup()
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = try await runParked(["oncall": target(oncall)], wakeup: wakeup)
        let due = Timestamp.wallClock() + .milliseconds(300)
        let n = IncidentCore.Notification(
            incident: 1, notifier: "oncall", policy: "default", step: 1, round: 0, due: due)
        let report = try await store.commitReporting(StoreBatch(notifications: [n], at: now))
        let queued: [OutboxEntry] = try #require(report.queued)
        wakeup.feed(queued)
        try await waitUntil("the row is delivered at its time") {
            try await store.timeline(of: 1).contains { $0.type == "notified" }
        }
        await stop(service)
        let settled = try #require(try await store.timeline(of: 1).first { $0.type == "notified" })
        #expect(settled.at >= due)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/1/0"])
    }

    /// A copy handed over late, after a read started the same row and its failure was recorded, is stale: it is
    /// not attempted again ahead of the retry's backoff. The sentinel behind it on the same notifier (one at a
    /// time, in order) shows the copy's turn is over, unless the copy waited for a slot; then its turn comes as
    /// the service stops, which must not send it either (`aStaleCopyTakenUpAsTheServiceStopsIsNotSent`).
    @Test func aStaleCopyOfARowAttemptedSinceIsNotAttemptedAgain() async throws {
        let wakeup = DeliveryWakeup()
        let boom = DeliveryOutcome.retry(DeliveryFailure("http_5xx", "HTTP 503"))
        let oncall = ScriptedNotifier("oncall", [boom, .delivered(detail: "HTTP 200")])
        let slow = NotifierTarget(
            notifier: oncall, retry: RetryPolicy(maxAttempts: 24, initial: .seconds(3600)), fallback: nil,
            concurrency: 1)
        let service = try await runParked(["oncall": slow], wakeup: wakeup)
        let n = IncidentCore.Notification(
            incident: 1, notifier: "oncall", policy: "default", step: 0, round: 0, due: now)
        let stale = try #require(try await store.commitReporting(StoreBatch(notifications: [n], at: now)).queued)
        wakeup.poke()
        try await waitUntil("the read attempts the row and records the failure") {
            try await timeline().contains { $0.hasPrefix("notify_retry: oncall INC-1/0/0 attempt 1") }
        }
        let s = IncidentCore.Notification(
            incident: 1, notifier: "oncall", policy: "default", step: 9, round: 0, due: now)
        let sentinel = try #require(try await store.commitReporting(StoreBatch(notifications: [s], at: now)).queued)
        wakeup.feed(stale + sentinel)
        try await waitUntil("the sentinel is delivered") {
            try await timeline().contains { $0.hasPrefix("notified: oncall INC-1/9/0 ") }
        }
        await stop(service)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0", "INC-1/9/0"])
    }

    /// A stopping service sends nothing it could not check. Here a stale copy (the row was attempted since) is
    /// taken up as the service is cancelled: the check's read fails with the cancellation, and sending anyway
    /// would page a second time. The row stays as it was for the next start.
    @Test func aStaleCopyTakenUpAsTheServiceStopsIsNotSent() async throws {
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = service(["oncall": target(oncall)])
        let n = IncidentCore.Notification(
            incident: 1, notifier: "oncall", policy: "default", step: 0, round: 0, due: now)
        let stale = try #require(try await store.commitReporting(StoreBatch(notifications: [n], at: now)).queued?.first)
        let retry = OutboxSettlementItem(
            entry: stale, settlement: .retry(error: "HTTP 503", nextAttempt: now + .seconds(300)),
            line: TimelineEntry(at: now, type: "notify_retry", detail: "oncall INC-1/0/0 attempt 1 failed"))
        #expect(try await store.settle([retry]).allSatisfy { $0 == nil })
        let attempt = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await service.deliver(stale)
        }
        #expect(await attempt.value == false)
        #expect(oncall.requests.isEmpty, "sent while stopping, unchecked")
        #expect(try await store.outboxStatus(at: now).pending == 1)
    }

    /// A store that does not report its rows (`queued` nil) gets them read, as before the feed.
    @Test func aCommitThatReportsNothingHasTheOutboxRead() async throws {
        let wakeup = DeliveryWakeup()
        let oncall = ScriptedNotifier("oncall", [.delivered(detail: "HTTP 200")])
        let service = try await runParked(["oncall": target(oncall)], wakeup: wakeup)
        try await queue(["oncall"])
        wakeup.feed(nil)
        try await waitUntil("the row is read and delivered") { try await store.outboxStatus(at: now).pending == 0 }
        await stop(service)
        #expect(oncall.requests.map(\.notification.idempotencyKey) == ["INC-1/0/0"])
    }

    @Test func lifecycleMomentsQueueMessagesForSubscribers() {
        var builder = BatchBuilder(at: now, subscribers: [.ack: ["pd", "archive"]])
        builder.add([.lifecycle(incident: 3, .ack, at: now), .lifecycle(incident: 3, .resolve, at: now)])
        let queued = builder.batch().notifications
        #expect(queued.map(\.notifier) == ["pd", "archive"])
        #expect(queued.allSatisfy { $0.moment == "ack" && $0.idempotencyKey == "INC-3/ack/\(now.microseconds)" })
    }
}
