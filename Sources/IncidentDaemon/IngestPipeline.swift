import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules
import IncidentServer
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The one place where events meet the engine and the store: sources submit, the pipeline runs the engine and
/// commits each batch with all its effects in one transaction, then completes the sources' tickets (SPEC §9).
///
/// Group commit: while one batch commits, submissions queue up; the next batch takes all of them at once, so
/// the cost of a durable commit is shared by every event that arrived meanwhile. Operator commands (ack,
/// resolve, notes, reported incidents, reloads) go through the same queue, so the engine sees one order and the
/// store records the same one.
public actor IngestPipeline: EventSink {
    /// How the pipeline is tuned; the defaults suit a small ops host.
    public struct Tuning: Sendable {
        /// Events queued beyond this make `submit` wait: back-pressure on the sources.
        public var queueCapacity = 65_536
        /// Most events in one transaction.
        public var maxBatchEvents = 8_192
        /// Save the engine state at least this often while events arrive, bounding what a restart replays.
        public var checkpointInterval: Duration = .seconds(10)
        /// ... or after this many events, whichever comes first.
        public var checkpointEvents = 100_000
        /// The longest the loop sleeps when idle, so the clock moves even without timers.
        public var idleTick: Duration = .seconds(1)

        public init() {}
    }

    typealias Command = @Sendable (inout CorrelationEngine, Timestamp) throws -> (any Sendable, [Effect])

    enum Work {
        case events(events: [Event], positions: [String: String], ticket: IngestTicket)
        case command(Command, CheckedContinuation<any Sendable, any Error>)
    }

    let store: any IncidentStore
    let tuning: Tuning
    let logger: Logger
    let now: @Sendable () -> Timestamp
    nonisolated let metrics: DaemonMetrics
    /// Notifier names by lifecycle moment (`on:`), read per batch (a reload may change them); their messages
    /// are queued with the moment's effects.
    let subscribers: @Sendable () -> [LifecycleMoment: [String]]
    /// Called after a commit that queued messages, so delivery starts without waiting for its next poll.
    let outboxFilled: @Sendable () -> Void
    /// Called after a commit that changed an incident (the web pages' live updates).
    let incidentsChanged: @Sendable () -> Void

    var engine: CorrelationEngine
    private var queue: [Work] = []
    private var queueHead = 0
    private var queuedEvents = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var wake: CheckedContinuation<Void, Never>?
    private var stopping = false
    private var stopped = false
    private var eventsSinceCheckpoint = 0
    private var lastCheckpoint: ContinuousClock.Instant = .now
    private var unmatchedLogged = 0

    public init(
        engine: CorrelationEngine, store: any IncidentStore, tuning: Tuning = Tuning(), metrics: DaemonMetrics,
        logger: Logger, now: @escaping @Sendable () -> Timestamp = { Timestamp.wallClock() },
        subscribers: @escaping @Sendable () -> [LifecycleMoment: [String]] = { [:] },
        outboxFilled: @escaping @Sendable () -> Void = {}, incidentsChanged: @escaping @Sendable () -> Void = {}
    ) {
        self.incidentsChanged = incidentsChanged
        self.subscribers = subscribers
        self.outboxFilled = outboxFilled
        self.engine = engine
        self.store = store
        self.tuning = tuning
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    // MARK: - Sources

    public func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        while queuedEvents >= tuning.queueCapacity && !stopping {
            metrics.backpressureWaits.increment()
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        guard !stopping else {
            return IngestTicket(.failure(IngestError(.shuttingDown, "incidentd is stopping; send again after restart")))
        }
        let ticket = IngestTicket()
        queue.append(.events(events: events, positions: positions, ticket: ticket))
        queuedEvents += events.count
        metrics.queueDepth.set(Int64(queuedEvents))
        wakeLoop()
        return ticket
    }

    // MARK: - Commands

    /// Runs `body` on the engine in queue order and returns its result once its effects are committed.
    func execute<T: Sendable>(_ body: @escaping @Sendable (inout CorrelationEngine, Timestamp) throws -> (T, [Effect]))
        async throws -> T
    {
        guard !stopping else { throw APIError(.unavailable, "incidentd is stopping") }
        let result = try await withCheckedThrowingContinuation { continuation in
            queue.append(
                .command(
                    { engine, time in
                        let (value, effects) = try body(&engine, time)
                        return (value, effects)
                    }, continuation))
            wakeLoop()
        }
        guard let value = result as? T else { preconditionFailure("a command returned \(type(of: result))") }
        return value
    }

    /// Reads the engine: the API's listings (silences, alerts, schedules). It sees every command already run,
    /// including one whose commit is still under way.
    func inspect<T: Sendable>(_ body: @Sendable (CorrelationEngine) throws -> T) rethrows -> T {
        try body(engine)
    }

    /// A snapshot of the engine's statistics and sizes, for metrics and `STATUS=`.
    func engineFigures() -> EngineFigures {
        let size = engine.workingSetSize
        return EngineFigures(
            stats: engine.stats, workingIncidents: size.incidents, workingAlerts: size.alerts,
            pendingEvents: size.pendingEvents, timers: size.timers, queuedEvents: queuedEvents,
            silences: Dictionary(uniqueKeysWithValues: engine.silenceCounts.map { ($0.key.rawValue, $0.value) }),
            silencedIncidents: engine.silencedIncidentCount)
    }

    // MARK: - The loop

    /// Events and commands already run through the engine and waiting for their commit: the next batch.
    private struct Prepared {
        var builder: BatchBuilder
        var outcomes: [Outcome] = []
        var events = 0
        var checkpoint = false
    }

    /// What the engine has taken since the last commit started (committed next).
    private var open: Prepared?
    /// The batch being committed now, and its result once the commit returned (until the loop handles it).
    private var committing: Committing?
    private var commitResult: Result<[Int64], any Error>?
    /// How long encoding the last checkpoint took.
    private var lastCheckpointCost: Duration = .zero
    /// Batches handed to the store so far; numbers the batches a deferred checkpoint refers to.
    private var batchSequence = 0
    /// The id of the last event this process committed (nil before the first).
    private var lastEventID: Int64?
    /// A timed checkpoint on its way: encoded off the pipeline while later batches commit, then carried by the
    /// next commit. Nil when none is on its way.
    private var deferred: DeferredCheckpoint?
    /// Bumped when a deferred checkpoint is dropped or superseded, so an encoding that finishes late is ignored.
    private var checkpointGeneration = 0
    /// Set while the engine holds effects the store does not (a commit failed and the rebuild from the store has
    /// not succeeded yet). Such an engine must never run another batch or write a checkpoint: both would record
    /// what never happened.
    private var engineUntrusted = false

    private struct Committing {
        var prepared: Prepared
        var batch: StoreBatch
        var sequence: Int
        /// The batch carries a checkpoint: encoded with it (an operator command's, or at shutdown) or deferred.
        var checkpoint: Bool
        var started: ContinuousClock.Instant
    }

    /// A checkpoint of the engine as it stood after batch `covers` was absorbed. It is written by a later
    /// commit with `through_event` = the last event of `covers`: a restart restores it and replays the events
    /// after that, whose effects the store already holds (as after any checkpoint).
    private struct DeferredCheckpoint {
        var generation: Int
        var covers: Int
        /// Known once batch `covers` has committed.
        var throughEvent: Int64?
        /// Known once the encoding finished.
        var data: Data?
        var ready: Bool { throughEvent != nil && data != nil }
    }

    /// Processes the queue until `stop()` is called and the queue is drained; the last batch carries a
    /// checkpoint so a clean restart replays nothing.
    ///
    /// Two stages overlap: while one batch commits, the engine already takes what arrives into the next one, so
    /// that batch's commit starts as soon as the previous one returns. Acknowledgements still wait for their
    /// own commit (SPEC §9), and commits run one at a time in queue order. When a commit fails, the batch
    /// prepared behind it fails too: the engine ran it on top of effects the store does not have.
    public func run() async {
        while true {
            if engineUntrusted {
                // Only a stop ends the rebuild attempts with the engine still out of step with the store.
                failQueued(IngestError(.shuttingDown, "stopping while the engine could not be rebuilt from the store"))
                stopped = true
                logger.critical("pipeline stopped without a final checkpoint: the engine could not be rebuilt")
                return
            }
            if let result = commitResult {
                commitResult = nil
                await finishCommit(result)
                continue
            }
            if queueHead < queue.count, (open?.events ?? 0) < tuning.maxBatchEvents {
                absorb()
                continue
            }
            if committing == nil, let prepared = open {
                open = nil
                startCommit(prepared)
                continue
            }
            if committing == nil, deferred?.ready == true, !stopping {
                // Nothing else to commit: the deferred checkpoint goes in a batch of its own.
                startCommit(Prepared(builder: BatchBuilder(at: now(), subscribers: subscribers())))
                continue
            }
            if committing == nil && queueHead == queue.count {
                if stopping { break }
                await waitForWork()
                continue
            }
            // A commit is running (or the next batch is full): wait for it to return or for new work.
            await withCheckedContinuation { wake = $0 }
        }
        // A final checkpoint: a clean restart then has nothing to replay.
        await commitCheckpoint()
        stopped = true
        logger.info("pipeline drained")
    }

    /// Stops taking submissions; `run()` returns once everything queued has been committed.
    public func stop() {
        stopping = true
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
        wakeLoop()
    }

    private func wakeLoop() {
        if let wake {
            self.wake = nil
            wake.resume()
        }
    }

    private func waitForWork() async {
        let now = now()
        var sleep = tuning.idleTick
        if let due = engine.nextDue {
            let untilDue = max(.zero, due - now)
            sleep = min(sleep, untilDue)
        }
        if sleep <= .zero {
            advanceClock()
            return
        }
        let timer = Task { [sleep] in
            try? await Task.sleep(for: sleep)
            self.wakeLoop()
        }
        await withCheckedContinuation { wake = $0 }
        timer.cancel()
        // Idle time passes timers too: fire what is due even when nothing arrived.
        if queueHead == queue.count, let due = engine.nextDue, due <= self.now() {
            advanceClock()
        }
    }

    private func takeBatch(limit: Int) -> [Work] {
        var taken: [Work] = []
        var events = 0
        while queueHead < queue.count {
            let work = queue[queueHead]
            if case .events(let list, _, _) = work {
                if events > 0 && events + list.count > limit { break }
                events += list.count
            }
            taken.append(work)
            queueHead += 1
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 4096 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        queuedEvents -= events
        metrics.queueDepth.set(Int64(queuedEvents))
        while queuedEvents < tuning.queueCapacity, !spaceWaiters.isEmpty {
            spaceWaiters.removeFirst().resume()
        }
        return taken
    }

    /// Takes the open batch out (so that adding to it does not copy it), or starts one at `time`.
    private func takeOpen(_ time: Timestamp) -> Prepared {
        if let prepared = open {
            open = nil
            return prepared
        }
        return Prepared(builder: BatchBuilder(at: time, subscribers: subscribers()))
    }

    /// Fires the engine's due timers into the open batch.
    private func advanceClock() {
        let time = now()
        var prepared = takeOpen(time)
        prepared.builder.add(engine.advance(to: time))
        open = prepared
    }

    /// Runs what is queued through the engine into the open batch (up to `maxBatchEvents`).
    private func absorb() {
        let time = now()
        var prepared = takeOpen(time)
        let work = takeBatch(limit: max(1, tuning.maxBatchEvents - prepared.events))

        // The engine's clock moves first, as it does in the rule-test driver: timers due before these arrivals
        // fire before the events are taken.
        prepared.builder.add(engine.advance(to: time))
        // Runs of submissions go through the engine together: one snapshot per touched incident and alert for
        // the whole run instead of one per submission.
        var run: [(events: [Event], ticket: IngestTicket)] = []
        func flushRun() {
            guard !run.isEmpty else { return }
            let (effects, touched) = engine.ingest(groups: run.map(\.events))
            prepared.builder.add(effects)
            for (submission, incidents) in zip(run, touched) {
                prepared.builder.events.append(contentsOf: submission.events)
                prepared.outcomes.append(
                    .events(
                        submission.ticket,
                        IngestReceipt(accepted: submission.events.count, incidents: incidents.map(Incident.id))))
                prepared.events += submission.events.count
                eventsSinceCheckpoint += submission.events.count
            }
            run.removeAll()
        }
        for item in work {
            switch item {
            case .events(let events, let positions, let ticket):
                run.append((events, ticket))
                for (key, value) in positions { prepared.builder.positions[key] = value }
            case .command(let body, let continuation):
                flushRun()
                // A command's effects are few and must survive a crash with the engine state that produced them:
                // an acknowledgement replayed from an older checkpoint would otherwise be forgotten.
                prepared.checkpoint = true
                do {
                    let (value, effects) = try body(&engine, time)
                    prepared.builder.add(effects)
                    prepared.outcomes.append(.command(continuation, .success(value)))
                } catch {
                    prepared.outcomes.append(.command(continuation, .failure(error)))
                }
            }
        }
        flushRun()
        open = prepared
    }

    /// Starts committing `prepared`; its result comes back through `commitResult` and wakes the loop.
    ///
    /// Checkpoints never hold the pipeline: the engine is copied (its tables are copy-on-write, so this is cheap
    /// until the next change) and exported and encoded off the actor. An operator command's checkpoint is
    /// encoded with its own batch, so that the command cannot be forgotten by a restart. A timed one is
    /// encoded while later batches keep committing and is carried by the first commit after it is ready: at
    /// 100,000 alerts encoding takes most of a second, which held every acknowledgement for that long.
    private func startCommit(_ prepared: Prepared) {
        var batch = prepared.builder.batch()
        var checkpointNow = prepared.checkpoint
        var deferNow = false
        // A checkpoint costs in proportion to the engine's state (about 2 s of CPU at 100,000 alerts), so one
        // comes no more often than twenty times its last encoding took, whether time or the event count calls
        // for it: at most about 5% of a core. What a restart replays is bounded all the same, by that time.
        let sinceLast = ContinuousClock.now - lastCheckpoint
        let interval = max(tuning.checkpointInterval, lastCheckpointCost * 20)
        if !checkpointNow, deferred == nil, eventsSinceCheckpoint > 0,
            (eventsSinceCheckpoint >= tuning.checkpointEvents && sinceLast >= lastCheckpointCost * 20)
                || sinceLast >= interval
        {
            // Deferring needs the last committed event id; before this process committed one, encode inline.
            if lastEventID != nil || !batch.events.isEmpty { deferNow = true } else { checkpointNow = true }
        }
        var carriesDeferred = false
        if checkpointNow {
            // This one is newer: a deferred one written after it would take the engine back.
            dropDeferred()
        } else if let ready = deferred, ready.ready {
            batch.engineState = ready.data
            batch.engineStateThroughEvent = ready.throughEvent
            deferred = nil
            carriesDeferred = true
        }
        if batch.isEmpty && prepared.outcomes.isEmpty && !checkpointNow && !deferNow { return }

        batchSequence += 1
        let sequence = batchSequence
        // The state covers exactly what is in this batch and before it: nothing is absorbed between here and the
        // commit's start, and the next batch's effects are not in the store until their own commit.
        let snapshot: CorrelationEngine? = checkpointNow || deferNow ? engine : nil
        if deferNow, let snapshot {
            checkpointGeneration += 1
            let generation = checkpointGeneration
            deferred = DeferredCheckpoint(generation: generation, covers: sequence)
            // Events absorbed from here on are not covered by it.
            eventsSinceCheckpoint = 0
            lastCheckpoint = .now
            let logger = logger
            Task.detached(priority: .medium) {
                let (data, cost) = Self.encode(snapshot, logger: logger)
                await self.deferredEncoded(data, cost: cost, generation: generation)
            }
        }
        committing = Committing(
            prepared: prepared, batch: batch, sequence: sequence, checkpoint: checkpointNow || carriesDeferred,
            started: ContinuousClock.now)
        let inline = checkpointNow ? snapshot : nil
        let (store, logger) = (self.store, self.logger)
        Task {
            var batch = batch
            var cost: Duration?
            if let inline {
                let encoded = Self.encode(inline, logger: logger)
                batch.engineState = encoded.data
                cost = encoded.cost
            }
            let result: Result<[Int64], any Error>
            do {
                result = .success(try await store.commit(batch))
            } catch {
                result = .failure(error)
            }
            self.commitReturned(result, checkpointCost: cost)
            if inline != nil || carriesDeferred { Task.detached(priority: .background) { Self.releaseFreedMemory() } }
        }
    }

    /// Exports and encodes a copy of the engine; runs off the actor.
    private nonisolated static func encode(_ engine: CorrelationEngine, logger: Logger) -> (data: Data?, cost: Duration)
    {
        let started = ContinuousClock.now
        do {
            let data = try engine.exportState().encoded()
            return (data, ContinuousClock.now - started)
        } catch {
            logger.error("cannot encode the engine state", metadata: ["error": "\(error)"])
            return (nil, ContinuousClock.now - started)
        }
    }

    private func deferredEncoded(_ data: Data?, cost: Duration, generation: Int) {
        guard deferred?.generation == generation else { return }
        lastCheckpointCost = cost
        guard let data else {
            deferred = nil
            return
        }
        deferred?.data = data
        wakeLoop()
    }

    private func dropDeferred() {
        deferred = nil
        checkpointGeneration += 1
    }

    /// Encoding a checkpoint allocates a few times the state's size for a moment (about 300 MB at 100,000
    /// alerts), and glibc keeps what was freed in its per-thread arenas: resident memory stayed at three times
    /// what the daemon holds. Giving the free pages back after each checkpoint keeps it near the live size.
    private nonisolated static func releaseFreedMemory() {
        #if canImport(Glibc)
            // malloc_trim(3) is glibc's and not in Swift's Glibc module: looked up once in the process.
            if let trim = mallocTrim { _ = trim(0) }
        #endif
    }

    #if canImport(Glibc)
        private nonisolated static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        }()
    #endif

    private func commitReturned(_ result: Result<[Int64], any Error>, checkpointCost: Duration?) {
        commitResult = result
        if let checkpointCost { lastCheckpointCost = checkpointCost }
        wakeLoop()
    }

    private func finishCommit(_ result: Result<[Int64], any Error>) async {
        guard let done = committing else { return }
        let (prepared, batch) = (done.prepared, done.batch)
        committing = nil
        switch result {
        case .success(let ids):
            metrics.commitSeconds.record(ContinuousClock.now - done.started)
            metrics.eventsCommitted.increment(by: batch.events.count)
            metrics.batchesCommitted.increment()
            metrics.commitSucceeded()
            if let last = ids.last { lastEventID = last }
            if deferred?.covers == done.sequence { deferred?.throughEvent = lastEventID }
            if done.checkpoint && batch.engineStateThroughEvent == nil {
                // Events absorbed into the open batch since are not covered by this checkpoint.
                eventsSinceCheckpoint = open?.events ?? 0
                lastCheckpoint = .now
            }
            prepared.builder.log(logger, metrics: metrics, unmatchedLogged: &unmatchedLogged)
            for outcome in prepared.outcomes { outcome.succeed() }
            if !batch.notifications.isEmpty { outboxFilled() }
            if !batch.incidents.isEmpty || !batch.timeline.isEmpty { incidentsChanged() }
        case .failure(let error):
            metrics.commitFailed(error, at: now())
            logger.error(
                "commit failed; the batch was not recorded and its sources were not acknowledged",
                metadata: ["error": "\(error)", "events": "\(batch.events.count)"])
            let failure = IngestError(.storeFailed, "the store could not commit: \(error)")
            for outcome in prepared.outcomes { outcome.fail(failure, error) }
            // A deferred checkpoint may cover the failed batch, or have been carried by it: the engine is rebuilt
            // from the store below, and the next checkpoint comes from that engine.
            dropDeferred()
            // The open batch was run on top of the failed one: it fails with it, and is not committed.
            if let behind = open {
                open = nil
                for outcome in behind.outcomes { outcome.fail(failure, error) }
            }
            await recoverAfterFailedCommit()
        }
    }

    private func commitCheckpoint() async {
        guard let state = Self.encode(engine, logger: logger).data else { return }
        do {
            _ = try await store.commit(StoreBatch(engineState: state, at: now()))
        } catch {
            logger.error("cannot save the engine state at shutdown", metadata: ["error": "\(error)"])
        }
    }

    /// The engine already holds the effects of the batch that failed; the store does not. Rebuild the engine
    /// from the store, which is the truth, so the next batch starts from what is recorded. Until that works no
    /// batch runs (sources stop reading: back-pressure, SPEC §9); the attempts back off from 200 ms to 5 s and
    /// end only with success or a stop.
    private func recoverAfterFailedCommit() async {
        engineUntrusted = true
        var pause = Duration.milliseconds(200)
        while true {
            // Give a failing disk a moment first: the commit has just failed.
            try? await Task.sleep(for: pause)
            do {
                let restored = try await EngineRecovery(store: store, logger: logger).restore(
                    ruleSet: engine.ruleSet, clamp: engine.clamp)
                engine = restored.engine
                eventsSinceCheckpoint = restored.replayed
                engineUntrusted = false
                return
            } catch {
                logger.critical(
                    "cannot rebuild the engine from the store; intake waits until it can",
                    metadata: ["error": "\(error)", "retry_in": "\(pause)"])
            }
            if stopping || Task.isCancelled { return }
            pause = min(pause * 2, .seconds(5))
        }
    }

    /// Fails every submission still queued (a stop while the engine could not be rebuilt).
    private func failQueued(_ failure: IngestError) {
        for work in queue[queueHead...] {
            switch work {
            case .events(_, _, let ticket): ticket.complete(.failure(failure))
            case .command(_, let continuation):
                continuation.resume(throwing: APIError(.unavailable, failure.message))
            }
        }
        queue.removeAll()
        queueHead = 0
        queuedEvents = 0
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
    }

    enum Outcome {
        case events(IngestTicket, IngestReceipt)
        case command(CheckedContinuation<any Sendable, any Error>, Result<any Sendable, any Error>)

        func succeed() {
            switch self {
            case .events(let ticket, let receipt): ticket.complete(.success(receipt))
            case .command(let continuation, let result): continuation.resume(with: result)
            }
        }

        func fail(_ failure: IngestError, _ error: any Error) {
            switch self {
            case .events(let ticket, _): ticket.complete(.failure(failure))
            case .command(let continuation, _):
                continuation.resume(throwing: APIError(.unavailable, "the store could not commit: \(error)"))
            }
        }
    }
}

/// Counts the daemon reads off the engine for `STATUS=` and `/metrics`.
public struct EngineFigures: Sendable {
    public var stats: EngineStats
    /// Incidents in the engine's working set (open, acknowledged, or resolved and not yet closed).
    public var workingIncidents: Int
    public var workingAlerts: Int
    public var pendingEvents: Int
    public var timers: Int
    public var queuedEvents: Int
    /// Silences by state.
    public var silences: [String: Int] = [:]
    public var silencedIncidents: Int = 0
}
