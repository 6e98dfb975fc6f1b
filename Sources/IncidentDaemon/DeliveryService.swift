import Foundation
import IncidentCore
import IncidentNotify
import Logging
import ServiceLifecycle
import Synchronization

/// Sends the outbox (SPEC §7): takes due rows, hands each to its notifier, and settles the row with a timeline
/// line in one store transaction — delivered, retried after a backoff, or given up with the fallback queued.
///
/// A row is marked delivered right after its notifier accepted it. A crash (`kill -9`) between the two leaves
/// the row pending and it is sent again on restart with the same idempotency key: receivers that keep the keys
/// they accepted (the `Idempotency-Key` header, `INCIDENT_IDEMPOTENCY_KEY`) drop it. Within one process a row
/// is never handed out twice: see `Tracker`.
struct DeliveryService: Service {
    let store: any IncidentStore & OutboxStore
    let notifiers: NotifierRegistry
    let metrics: DaemonMetrics
    let board: ReadinessBoard
    let logger: Logger
    let wakeup: DeliveryWakeup
    /// A due row older than this makes `/readyz` and `STATUS=` say escalation is overdue.
    var overdueAfter: Duration = .seconds(300)
    /// The longest the loop sleeps, so new rows are seen even without a poke.
    var pollInterval: Duration = .seconds(1)
    /// The overdue check counts every pending row: at most this often, not on every pass (a burst of pages
    /// wakes the loop after each commit, and the count was 3% of the daemon's CPU).
    var overdueCheckInterval: Duration = .seconds(1)
    /// A read of the outbox takes at most this many due rows per notifier. A notifier that had this many has more
    /// waiting: its next read comes once every row of this one has started and an outcome has been recorded since
    /// (`readsAhead`), not at the next poll.
    var readLimit = 64
    var now: @Sendable () -> Timestamp = { Timestamp.wallClock() }
    var random: @Sendable () -> Double = { Double.random(in: 0...1) }
    /// Outcomes reported while a settlement transaction runs are recorded together in the next one.
    let settlements: GroupCommitQueue<OutboxSettlementItem, (any Error)?>
    /// How many outcomes have been recorded. A read ahead of the poll is made only once one has been since the
    /// last read: a row that ends unsettled (a deposed leader's, one whose outcome the store refused) stays
    /// pending, and reading it again at once would only hand it out again, as fast as the store answers.
    let recorded = RecordedOutcomes()

    init(
        store: any IncidentStore & OutboxStore, notifiers: NotifierRegistry, metrics: DaemonMetrics,
        board: ReadinessBoard, logger: Logger, wakeup: DeliveryWakeup
    ) {
        self.store = store
        self.notifiers = notifiers
        self.metrics = metrics
        self.board = board
        self.logger = logger
        self.wakeup = wakeup
        settlements = GroupCommitQueue { items in
            do {
                return try await store.settle(items)
            } catch {
                // The transaction failed: none of them is recorded, and each caller tries again.
                return Array(repeating: error, count: items.count)
            }
        }
    }

    func run() async throws {
        let tracker = Tracker()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Due rows read but not started for lack of a slot. A finished delivery frees a slot and
                // starts the next of these without reading the outbox again: in a burst of pages, reading up
                // to 500 rows per finished delivery was 6% of the daemon's CPU.
                var backlog: [OutboxEntry] = []
                var reread = true
                // The notifiers whose share the last read filled: each has more rows due than it took.
                var filled: Set<String> = []
                var recordedAtRead = 0
                // Rows a commit just queued, handed over without a read (`DeliveryWakeup.feed`).
                var fed: [OutboxEntry] = []
                var lastOverdueCheck: ContinuousClock.Instant?
                var sleep = pollInterval
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    let time = now()
                    if backlog.count + fed.count > wakeup.feedLimit {
                        // Deliveries behind a burst: rather than a backlog that grows until the next read, a read
                        // now, which takes a bounded number of due rows a notifier, earliest first.
                        reread = true
                    } else {
                        for entry in fed {
                            if entry.nextAttempt <= time {
                                backlog.append(entry)
                            } else {
                                // A later step: the read at its time takes it, as it would any row.
                                sleep = min(sleep, entry.nextAttempt - time)
                            }
                        }
                    }
                    if reread {
                        tracker.beginPass()
                        recordedAtRead = recorded.count
                        do {
                            backlog = try await store.dueOutbox(before: time, limit: readLimit)
                            filled = Self.filled(backlog, limit: readLimit)
                        } catch {
                            if !Task.isCancelled {
                                logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
                            }
                            backlog = []
                            filled = []
                        }
                    }
                    var waiting: [OutboxEntry] = []
                    for entry in backlog {
                        let limit = notifiers.target(entry.notification.notifier)?.concurrency ?? 1
                        switch tracker.start(entry, limit: limit) {
                        case .started:
                            group.addTask {
                                let changed = await deliver(entry)
                                tracker.finish(entry)
                                wakeup.poke(reread: changed)
                            }
                        case .noSlot:
                            waiting.append(entry)
                        case .taken:
                            // In flight, or finished since this pass's read: its own settlement decides what
                            // comes next (a retry asks for a read), so this copy is dropped.
                            break
                        }
                    }
                    backlog = waiting
                    if reread {
                        let checked = ContinuousClock.now
                        if lastOverdueCheck.map({ checked - $0 >= overdueCheckInterval }) ?? true {
                            await checkOverdue(at: time)
                            lastOverdueCheck = checked
                        }
                        sleep = pollInterval
                        if let next = try? await store.nextOutboxAttempt() {
                            let until = next - now()
                            if until > .zero { sleep = min(sleep, until) }
                        }
                    }
                    let started = ContinuousClock.now
                    (reread, fed) = await wakeup.wait(upTo: sleep)
                    // A notifier whose share the last read filled has started every row it took, and an outcome
                    // has been recorded since: read its next rows now, whatever other notifiers still have waiting.
                    // Before, a burst past the feed's limit was sent a read's worth per poll (128 pages a second
                    // with two notifiers), and its last pages went out seconds late.
                    if !reread,
                        Self.readsAhead(
                            filled: filled, waiting: backlog, recordedSinceRead: recorded.count != recordedAtRead)
                    {
                        reread = true
                    }
                    sleep = max(.zero, sleep - (ContinuousClock.now - started))
                }
            }
        } onGracefulShutdown: {
            wakeup.poke()
        }
    }

    /// One attempt for one row, and its settlement. True when the outbox's schedule changed beyond this row
    /// being done (a retry later, a fallback queued), so the next pass must read it again.
    @discardableResult
    func deliver(_ entry: OutboxEntry) async -> Bool {
        let n = entry.notification
        // The row was read (or handed over at its commit) before this attempt: an acknowledgement may have
        // cancelled it since (it waited in the backlog for a slot, or the pass read it just before the commit), or
        // an attempt from a fresher copy may have been made since (a row handed over late, after a read had
        // started it and its retry was recorded); that copy must not attempt again ahead of the retry's time. A
        // store that cannot say is no reason to hold a page back, with two exceptions: a deposed leader (SPEC
        // §15), since the new leader sends the page, and a service that is stopping, since the next start does.
        var context: OutboxAttemptContext?
        do {
            context = try await store.attemptContext(outbox: entry.id, attempts: entry.attempts, incident: n.incident)
            if context == nil {
                logger.info(
                    "notification no longer as read (cancelled, or attempted since); not sent",
                    metadata: [
                        "incident": "\(Incident.id(n.incident))", "notifier": "\(n.notifier)",
                        "key": "\(n.idempotencyKey)",
                    ])
                return false
            }
        } catch let error as StoreError where error.code == .deposed {
            logger.warning(
                "not sent: this instance no longer leads the store",
                metadata: ["incident": "\(Incident.id(n.incident))", "key": "\(n.idempotencyKey)"])
            return false
        } catch let error where Task.isCancelled {
            // The service is stopping (the read failed because it was cancelled): not knowing whether the row was
            // cancelled or attempted since is no reason to send it now. It stays pending for the next start, or
            // for the leader that takes over; sending it unchecked could page twice.
            logger.info(
                "not sent: the delivery is stopping; the next start sends it",
                metadata: [
                    "incident": "\(Incident.id(n.incident))", "key": "\(n.idempotencyKey)", "error": "\(error)",
                ])
            return false
        } catch {
            // Each read on its own, as far as the store allows; a page goes out even without them.
            logger.warning(
                "cannot check the notification before sending it; sending it anyway",
                metadata: [
                    "incident": "\(Incident.id(n.incident))", "notifier": "\(n.notifier)",
                    "key": "\(n.idempotencyKey)", "error": "\(error)",
                ])
            context = OutboxAttemptContext(
                incident: try? await store.incident(n.incident),
                latestAlert: try? await store.latestAlert(of: n.incident))
        }
        let attempt = entry.attempts + 1
        guard let target = notifiers.target(n.notifier) else {
            let failure = DeliveryFailure(
                "unknown_notifier", "notifier '\(n.notifier)' is not in the config; the message is given up")
            await settle(entry, .failed(error: failure.message, fallback: nil), type: "notify_failed", failure.message)
            metrics.deliveryFailure(notifier: n.notifier, reason: failure.reason).increment()
            return false
        }
        let request = DeliveryRequest(
            notification: n, attempt: attempt, incident: context?.incident, event: context?.latestAlert)
        let outcome = await target.notifier.deliver(request)
        let time = now()
        let what = "\(n.notifier) \(n.idempotencyKey) attempt \(attempt)"
        var meta: Logger.Metadata = [
            "incident": "\(Incident.id(n.incident))", "notifier": "\(n.notifier)", "key": "\(n.idempotencyKey)",
            "attempt": "\(attempt)",
        ]
        switch outcome {
        case .delivered(let detail):
            metrics.delivered(notifier: n.notifier).increment()
            logger.info("notification delivered", metadata: meta)
            await settle(entry, .delivered(at: time, detail: detail), type: "notified", "\(what): \(detail)")
            return false
        case .retry(let failure, let after) where target.retry.allowsAnother(after: attempt):
            metrics.deliveryFailure(notifier: n.notifier, reason: failure.reason).increment()
            let next = time + target.retry.delay(afterAttempt: attempt, retryAfter: after, unit: random())
            meta["error"] = "\(failure.message)"
            meta["next_attempt"] = "\(next)"
            logger.warning("notification attempt failed; it will be retried", metadata: meta)
            await settle(
                entry, .retry(error: failure.message, nextAttempt: next), type: "notify_retry",
                "\(what) failed: \(failure.message); next attempt at \(next)")
            return true
        case .retry(let failure, _), .final(let failure):
            metrics.deliveryFailure(notifier: n.notifier, reason: failure.reason).increment()
            metrics.givenUp(notifier: n.notifier).increment()
            var fallback: IncidentCore.Notification?
            if let name = target.fallback, name != n.notifier {
                fallback = n
                fallback?.notifier = name
            }
            let why = if case .final = outcome { "not retried" } else { "after \(attempt) attempts" }
            meta["error"] = "\(failure.message)"
            meta["fallback"] = "\(fallback?.notifier ?? "none")"
            logger.error("notification given up", metadata: meta)
            await settle(
                entry, .failed(error: failure.message, fallback: fallback), type: "notify_failed",
                "\(what) failed: \(failure.message); given up \(why)"
                    + (fallback.map { "; fallback \($0.notifier) queued" } ?? "; no fallback"))
            return fallback != nil
        }
    }

    /// Records the settlement; a store that refuses is tried again for a while rather than sending again.
    func settle(_ entry: OutboxEntry, _ settlement: OutboxSettlement, type: String, _ detail: String) async {
        let line = TimelineEntry(at: now(), type: type, detail: detail)
        for attempt in 1...5 {
            do {
                if let error = await settlements.submit(
                    OutboxSettlementItem(entry: entry, settlement: settlement, line: line))
                {
                    throw error
                }
                recorded.add()
                return
            } catch {
                logger.error(
                    "cannot record a delivery outcome", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    /// The notifiers of which a read with `limit` rows per notifier took that many (so more may be due).
    static func filled(_ rows: [OutboxEntry], limit: Int) -> Set<String> {
        var perNotifier: [String: Int] = [:]
        for row in rows { perNotifier[row.notification.notifier, default: 0] += 1 }
        return Set(perNotifier.lazy.filter { $0.value >= limit }.map(\.key))
    }

    /// Whether to read the outbox ahead of the poll: a notifier whose share the last read `filled` has no row
    /// `waiting` for a slot (every row it took has started), and an outcome was recorded since that read.
    static func readsAhead(filled: Set<String>, waiting: [OutboxEntry], recordedSinceRead: Bool) -> Bool {
        guard recordedSinceRead, !filled.isEmpty else { return false }
        return !filled.isSubset(of: Set(waiting.lazy.map(\.notification.notifier)))
    }

    /// A count of recorded outcomes, shared by the service's copies and its delivery tasks.
    final class RecordedOutcomes: Sendable {
        private let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
        func add() { value.add(1, ordering: .relaxed) }
    }

    /// "Escalation overdue": a due row older than `overdueAfter` means pages are not getting out.
    func checkOverdue(at time: Timestamp) async {
        guard let status = try? await store.outboxStatus(at: time) else { return }
        if let oldest = status.oldestDue, time - oldest > overdueAfter {
            let late = Int((time - oldest).components.seconds)
            board.problem(
                "escalation",
                "escalation overdue: a notification due at \(oldest) is \(late)s late (\(status.pending) pending); "
                    + "see incidentd_notification_failures_total and the incident timelines")
            metrics.escalationOverdue.set(Int64(1))
        } else {
            board.ready("escalation")
            metrics.escalationOverdue.set(Int64(0))
        }
    }

    /// Which rows are in flight. A row read as pending in the same pass in which its delivery finished may be
    /// stale (read before the settlement committed), so rows finished since the pass began are skipped until
    /// the next pass re-reads them.
    final class Tracker: Sendable {
        private let state = Mutex<(inFlight: Set<Int64>, finished: Set<Int64>, perNotifier: [String: Int])>(
            ([], [], [:]))

        func beginPass() { state.withLock { $0.finished.removeAll() } }

        enum Start { case started, noSlot, taken }

        /// Starts `entry` if it is neither in flight nor finished in this pass (`taken`) and its notifier has a
        /// free slot (`noSlot`).
        func start(_ entry: OutboxEntry, limit: Int) -> Start {
            state.withLock { s in
                let name = entry.notification.notifier
                guard !s.inFlight.contains(entry.id), !s.finished.contains(entry.id) else { return .taken }
                guard s.perNotifier[name, default: 0] < limit else { return .noSlot }
                s.inFlight.insert(entry.id)
                s.perNotifier[name, default: 0] += 1
                return .started
            }
        }

        func finish(_ entry: OutboxEntry) {
            state.withLock { s in
                s.inFlight.remove(entry.id)
                s.finished.insert(entry.id)
                s.perNotifier[entry.notification.notifier, default: 1] -= 1
            }
        }
    }
}
