import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules
import Logging

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
        /// A timed checkpoint larger than this is written in parts of this size, one with each commit (see
        /// `EngineStatePart`): on this machine's disk a commit carrying 0.5 MB takes about 2 ms more, one carrying
        /// 8 MB (a checkpoint at 100,000 alerts) 60 ms more (BENCHMARKS.md, issue 16).
        public var checkpointPartBytes = 512 * 1024
        /// A submission finding the loop parked runs the engine on what is queued itself when it is at most this
        /// many events (`stepWhileParked`); more wakes the loop, so that a source with more to read (the journal's
        /// batches of 4,096) reads on while the engine takes what it handed over (BENCHMARKS.md, issue 16).
        ///
        /// For a store that binds the events' text columns, a submission of more than this many events also has
        /// them written by its submitter, before it enters the pipeline, while the loop's thread runs the engine on
        /// what came before (the journal's batches: 3–4% of its pace). A smaller one has them written in the
        /// batch's own buffer, most often on the submitter's own turn anyway (`stepWhileParked`), where columns of
        /// its own would only add a copy (`writesEventColumns`).
        public var inlineAbsorbEvents = 1_024
        /// The longest the loop sleeps when idle, so the clock moves even without timers.
        public var idleTick: Duration = .seconds(1)
        /// Alerts seen again have their last-seen time and counts written this long after the last write of them
        /// (see `DeferredActivity`): with the next commits, or on their own when idle; also at stop. A checkpoint
        /// lists what is held rather than writing it.
        public var activityFlushInterval: Duration = .seconds(1)
        /// ... or once this many alerts and incidents are held, all in one commit.
        public var maxDeferredActivity = 50_000
        /// A write of held activity is spread over the commits of the next half `activityFlushInterval`, in step
        /// with the time: each carries the share of it that the time since the write began calls for, and at least
        /// this many snapshots.
        public var activitySlice = 64
        /// ... and an idle pipeline writes it this many a commit, deciding again between them.
        public var activityIdleSlice = 1_024
        /// What an engine's rebuild at start holds (`init(held:)`) is written at once, spread as a write of held
        /// activity is but over at least as many seconds as it holds this many snapshots: after `kill -9` it can be
        /// every alert sent again since the checkpoint, about half a second of the writer's time at 100,000. Faster,
        /// it held up the first commits after the restart under load (BENCHMARKS.md, issue 16).
        public var heldOnRestoreRate = 20_000

        public init() {}
    }

    typealias Command = @Sendable (inout CorrelationEngine, Timestamp) throws -> (any Sendable, [Effect])

    let store: any IncidentStore
    let tuning: Tuning
    let logger: Logger
    let now: @Sendable () -> Timestamp
    /// The monotonic clock the checkpoint cadence and commit timings read.
    let uptime: @Sendable () -> Duration
    nonisolated let metrics: DaemonMetrics
    /// Whether the store binds the events' text columns (`IncidentStore.takesEventColumns`): a submitter of more
    /// than `Tuning.inlineAbsorbEvents` events then writes its events' columns before it enters the pipeline, on
    /// its own thread, instead of the pipeline's turn, which the engine needs (BENCHMARKS.md, issue 16).
    nonisolated let writesEventColumns: Bool
    /// Notifier names by lifecycle moment (`on:`), read per batch (a reload may change them); their messages
    /// are queued with the moment's effects.
    let subscribers: @Sendable () -> [LifecycleMoment: [String]]
    /// Called after a commit that queued messages, with the rows it queued when the store reported them (nil when
    /// it did not), so delivery starts without waiting for its next poll or reading the rows back.
    let outboxFilled: @Sendable ([OutboxEntry]?) -> Void
    /// Called after a commit that changed an incident (the web pages' live updates).
    let incidentsChanged: @Sendable () -> Void

    var engine: CorrelationEngine
    /// Every decision: what to absorb, when to commit and checkpoint, when to stop (see `PipelineStateMachine`).
    private var machine: PipelineStateMachine<Work, Prepared>
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var wake: CheckedContinuation<Void, Never>?
    /// A step decided on a submitter's or a commit's turn (`stepWhileParked`) that the loop must carry out.
    private var handedStep: PipelineStateMachine<Work, Prepared>.Step?
    /// The idle wait's timer, and the uptime it was set for (`waitForWork`).
    private var idleTimer: (task: Task<Void, Never>, due: Duration)?
    /// The commit in flight: its batch and when it started.
    private var inFlight: (batch: StoreBatch, started: Duration)?
    /// The bytes of the parts written so far of a checkpoint written in parts, and their longest commit.
    private var partsWritten: (bytes: Int, commit: Duration) = (0, .zero)
    private var unmatchedLogged = 0
    /// Activity not written yet, and when it last was.
    private var deferred = DeferredActivity()
    private var activityWritten: Duration = .zero
    /// When the write of held activity under way began (`DeferredActivity.isDraining`).
    private var activityDrainBegan: Duration = .zero
    /// No idle write of held activity before this (after one failed).
    private var activityRetry: Duration = .zero
    /// How much an engine's rebuild at start held (`init(held:)`), until the first write of held activity after it
    /// ends (and the backlog that chases it, `activityWriteEnded`): that write is spread by its size, and it does
    /// not count towards `maxDeferredActivity`.
    private var heldOnRestore = 0

    public init(
        engine: CorrelationEngine, store: any IncidentStore, tuning: Tuning = Tuning(), metrics: DaemonMetrics,
        logger: Logger, now: @escaping @Sendable () -> Timestamp = { Timestamp.wallClock() },
        uptime: @escaping @Sendable () -> Duration = IngestPipeline.processUptime,
        subscribers: @escaping @Sendable () -> [LifecycleMoment: [String]] = { [:] },
        outboxFilled: @escaping @Sendable ([OutboxEntry]?) -> Void = { _ in },
        incidentsChanged: @escaping @Sendable () -> Void = {}, held: DeferredActivity? = nil
    ) {
        self.incidentsChanged = incidentsChanged
        self.subscribers = subscribers
        self.outboxFilled = outboxFilled
        self.engine = engine
        self.store = store
        self.tuning = tuning
        self.metrics = metrics
        writesEventColumns = store.takesEventColumns
        self.logger = logger
        self.now = now
        self.uptime = uptime
        machine = PipelineStateMachine(
            limits: .init(
                queueCapacity: tuning.queueCapacity, maxBatchEvents: tuning.maxBatchEvents,
                checkpointInterval: tuning.checkpointInterval, checkpointEvents: tuning.checkpointEvents,
                checkpointPartBytes: tuning.checkpointPartBytes, idleTick: tuning.idleTick),
            uptime: uptime())
        // What an engine's rebuild holds (`EngineRecovery.Restored.held`) is written from the first commit on, as
        // the pipeline's own; until then readers see it and checkpoints list it.
        if let held {
            deferred = held
            heldOnRestore = held.count
            if !held.isEmpty { activityWritten = uptime() - tuning.activityFlushInterval }
        }
    }

    /// Time since an arbitrary start, from the monotonic clock.
    public static let processUptime: @Sendable () -> Duration = {
        let start = ContinuousClock.now
        return { ContinuousClock.now - start }
    }()

    // MARK: - Sources

    /// Not isolated: a large submission's columns are written on the submitter's thread (`writesEventColumns`).
    public nonisolated func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        await submit(events, columns: columnsAhead(events), positions: positions)
    }

    private func submit(_ events: [Event], columns: EventColumns?, positions: [String: String]) async -> IngestTicket {
        let ticket = await enqueue(events, columns: columns, positions: positions)
        metrics.queueDepth.set(Int64(machine.queuedEvents))
        stepWhileParked(submitting: true)
        return ticket
    }

    /// One hop onto the pipeline for all of them, rather than one per submission (a socket read's lines).
    public nonisolated func submit(each submissions: [[Event]]) async -> [IngestTicket] {
        // A socket read's lines are small: no array of nil columns for each read.
        let large = writesEventColumns && submissions.contains { $0.count > tuning.inlineAbsorbEvents }
        return await submit(each: submissions, columns: large ? submissions.map(columnsAhead) : nil)
    }

    /// The events' columns when their submitter writes them (`writesEventColumns`), else nil.
    private nonisolated func columnsAhead(_ events: [Event]) -> EventColumns? {
        guard writesEventColumns, events.count > tuning.inlineAbsorbEvents else { return nil }
        return EventColumns(events)
    }

    /// `columns`: per submission, or nil when none has its own.
    private func submit(each submissions: [[Event]], columns: [EventColumns?]?) async -> [IngestTicket] {
        var tickets: [IngestTicket] = []
        tickets.reserveCapacity(submissions.count)
        for (i, events) in submissions.enumerated() {
            tickets.append(await enqueue(events, columns: columns?[i], positions: [:]))
        }
        metrics.queueDepth.set(Int64(machine.queuedEvents))
        stepWhileParked(submitting: true)
        return tickets
    }

    /// Queues one submission, waiting while the queue is full; the caller wakes the loop.
    private func enqueue(_ events: [Event], columns: EventColumns?, positions: [String: String]) async
        -> IngestTicket
    {
        let ticket = IngestTicket()
        let work = Work.events(events: events, columns: columns, positions: positions, ticket: ticket)
        while true {
            switch machine.submit(work, events: events.count) {
            case .queued:
                return ticket
            case .full:
                metrics.backpressureWaits.increment()
                // What this call queued before must run for room to come.
                wakeLoop()
                await withCheckedContinuation { spaceWaiters.append($0) }
            case .refused:
                return IngestTicket(
                    .failure(IngestError(.shuttingDown, "incidentd is stopping; send again after restart")))
            }
        }
    }

    // MARK: - Commands

    /// Runs `body` on the engine in queue order and returns its result once its effects are committed. Throws
    /// what `body` throws, or an `IngestError` when the pipeline is stopping or the store failed.
    func execute<T: Sendable>(_ body: @escaping @Sendable (inout CorrelationEngine, Timestamp) throws -> (T, [Effect]))
        async throws -> T
    {
        let result = try await withCheckedThrowingContinuation { continuation in
            let command: Command = { engine, time in
                let (value, effects) = try body(&engine, time)
                return (value, effects)
            }
            switch machine.submitCommand(.command(command, continuation)) {
            case .queued: wakeLoop()
            case .full, .refused: continuation.resume(throwing: IngestError(.shuttingDown, "incidentd is stopping"))
            }
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
            pendingEvents: size.pendingEvents, timers: size.timers, queuedEvents: machine.queuedEvents,
            silences: Dictionary(uniqueKeysWithValues: engine.silenceCounts.map { ($0.key.rawValue, $0.value) }),
            silencedIncidents: engine.silencedIncidentCount)
    }

    // MARK: - The loop

    /// Events and commands already run through the engine and waiting for their commit: the next batch.
    struct Prepared: PipelineBatch {
        var builder: BatchBuilder
        var outcomes: [Outcome] = []
        var eventCount = 0
        var hasCommand = false
        var isEmpty: Bool { builder.writesNothing && outcomes.isEmpty }
    }

    /// Processes the queue until `stop()` is called and the queue is drained; the last batch carries a
    /// checkpoint so a clean restart replays nothing. Cancelling the task stops it at once instead: the commit in
    /// flight is answered, everything else is refused, and no checkpoint is written.
    ///
    /// Two stages overlap: while one batch commits, the engine already takes what arrives into the next one, so
    /// that batch's commit starts as soon as the previous one returns. Acknowledgements still wait for their
    /// own commit (SPEC §9), and commits run one at a time in queue order.
    public func run() async {
        await withTaskCancellationHandler {
            await loop()
        } onCancel: {
            Task { await self.cancel() }
        }
    }

    private func loop() async {
        while true {
            let step: PipelineStateMachine<Work, Prepared>.Step
            if let handed = handedStep {
                handedStep = nil
                step = handed
            } else {
                step = decide()
            }
            if carryOutWithoutWaiting(step) { continue }
            switch step {
            case .absorb, .commit, .committed:
                continue  // carried out above
            case .commitFailed(let prepared, let behind, let error, let recover):
                commitFailed(prepared, behind: behind, error)
                if recover { await recoverAfterFailedCommit() }
            case .waitForWork(let timeout):
                // Idle, no commit in flight. Held activity is written in commits of their own, a slice each, once
                // it is due (`activityFlushInterval` after the last write of it; a steady load's commits carry it
                // by then), and the wait ends in time for that. Between slices the loop decides again, so work that
                // arrives meanwhile waits for one slice, not for all of it. Writing it at every idle moment cost a
                // commit per batch below saturation. Work that arrived during the write found no waiting loop to
                // wake: decide again before waiting. After a failed write the next try waits a second (or for the
                // next batch's commit to carry it).
                var wait = timeout
                if !deferred.isEmpty {
                    let begins = deferred.isDraining ? activityWritten : activityWritten + tuning.activityFlushInterval
                    let due = max(begins, activityRetry)
                    let time = uptime()
                    if time >= due {
                        if !(await writeDeferredActivity()) { activityRetry = uptime() + .seconds(1) }
                        continue
                    }
                    wait = min(wait, due - time)
                }
                await waitForWork(wait)
            case .waitForWake:
                await withCheckedContinuation { wake = $0 }
            case .finish:
                releaseWaiters()
                cancelIdleTimer()
                // A final checkpoint: a clean restart then has nothing to replay.
                await commitCheckpoint()
                logger.info("pipeline drained")
                return
            case .abandon(let work, let open):
                releaseWaiters()
                cancelIdleTimer()
                let failure = IngestError(.shuttingDown, "incidentd is stopping; send again after restart")
                for item in work { item.fail(failure) }
                for outcome in open?.outcomes ?? [] { outcome.fail(failure) }
                if machine.recovering {
                    logger.critical("pipeline stopped without a final checkpoint: the engine could not be rebuilt")
                } else {
                    logger.notice("pipeline cancelled: what was not committed was refused")
                }
                return
            }
        }
    }

    /// Stops taking submissions; `run()` returns once everything queued has been committed.
    public func stop() {
        machine.stop()
        releaseWaiters()
        wakeLoop()
    }

    /// The run task was cancelled.
    private func cancel() {
        machine.cancel()
        releaseWaiters()
        wakeLoop()
    }

    private func releaseWaiters() {
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters.removeAll()
    }

    /// Carries out, on this turn on the actor, the steps that need no waiting (absorb, commit, a commit's
    /// completion) while the loop is parked in a wait; sets the idle timer sooner when the next timer needs it, and
    /// wakes the loop only for a step that awaits (a failed commit's recovery, held activity to write, the finish,
    /// the abandon), which it hands over unless it is a wait. Waking the parked loop for every submission and every
    /// commit's result cost a thread's wake-up each: the loop's turn on the actor went to another thread while this
    /// one went back to the caller (BENCHMARKS.md, issue 16). The decisions are the state machine's either way; only
    /// where they are carried out changes. A waiting step changes nothing in it, so the loop, when it runs, decides
    /// the same.
    ///
    /// A submitter (`submitting`) takes the engine's work only while what is queued is small
    /// (`Tuning.inlineAbsorbEvents`): for a large submission the caller's time is better spent reading on while the
    /// loop's thread runs the engine. With batches of 4,096 the journal path lost about a tenth taking them itself.
    private func stepWhileParked(submitting: Bool = false) {
        guard wake != nil, handedStep == nil else { return wakeLoop() }
        if submitting && machine.queuedEvents > tuning.inlineAbsorbEvents { return wakeLoop() }
        while true {
            let step = decide()
            if carryOutWithoutWaiting(step) { continue }
            switch step {
            case .absorb, .commit, .committed:
                continue  // carried out above
            case .waitForWake:
                return
            case .waitForWork(let timeout) where deferred.isEmpty:
                // Parked already; a timer needed sooner than the one set replaces it.
                armIdleTimer(timeout)
                return
            case .waitForWork:
                // Held activity to write: the loop decides it (a waiting step changed nothing, and a wait handed
                // over would be stale by the time the loop ran, with work queued meanwhile).
                return wakeLoop()
            case .commitFailed, .finish, .abandon:
                handedStep = step
                return wakeLoop()
            }
        }
    }

    /// The state machine's next step, as of now.
    private func decide() -> PipelineStateMachine<Work, Prepared>.Step {
        machine.nextStep(uptime: uptime(), untilTimer: engine.nextDue.map { $0 - now() })
    }

    /// Carries out a step that needs no waiting (absorb, commit, a commit's completion); false for any other.
    private func carryOutWithoutWaiting(_ step: PipelineStateMachine<Work, Prepared>.Step) -> Bool {
        switch step {
        case .absorb(let work): absorb(work)
        case .commit(let plan): startCommit(plan)
        case .committed(let prepared): committed(prepared)
        default: return false
        }
        return true
    }

    private func wakeLoop() {
        if let wake {
            self.wake = nil
            wake.resume()
        }
    }

    /// Waits for work, or until `timeout` has passed. The timer outlives the wait: work that ends it early leaves it
    /// set, and the next idle wait keeps it unless it must end sooner. A new timer each wait, cancelled a
    /// millisecond later by the next request, cost every request of a client that sends one at a time a task, a
    /// timer armed and disarmed, and the thread wake-ups of both (BENCHMARKS.md, issue 16). A timer that fires
    /// before the wait it was set for needed it (a later deadline kept the earlier timer, or the loop is waiting for
    /// a commit by then) only makes the loop decide again.
    private func waitForWork(_ timeout: Duration) async {
        armIdleTimer(timeout)
        await withCheckedContinuation { wake = $0 }
    }

    /// Sets the idle timer to wake the loop within `timeout`, unless it is set for that or sooner.
    private func armIdleTimer(_ timeout: Duration) {
        let due = uptime() + timeout
        if let idleTimer, idleTimer.due <= due {
            // Set for sooner than this wait needs: it wakes the loop early at worst.
            return
        }
        idleTimer?.task.cancel()
        let task = Task { [timeout] in
            try? await Task.sleep(for: timeout)
            // Cancelled: a sooner timer replaced it, or the pipeline stopped.
            if !Task.isCancelled { self.idleTimerFired(due) }
        }
        idleTimer = (task, due)
    }

    /// The uptime the idle wait's timer is set for, nil when none is (for tests).
    var idleTimerDue: Duration? { idleTimer?.due }

    private func idleTimerFired(_ due: Duration) {
        guard idleTimer?.due == due else { return }
        idleTimer = nil
        wakeLoop()
    }

    private func cancelIdleTimer() {
        idleTimer?.task.cancel()
        idleTimer = nil
    }

    /// Runs `work` through the engine into the open batch; with no work, fires the engine's due timers.
    private func absorb(_ work: [Work]) {
        let time = now()
        let subscribers = subscribers
        machine.absorb { open in
            if open == nil {
                open = Prepared(
                    builder: BatchBuilder(at: time, subscribers: subscribers(), eventColumns: store.takesEventColumns))
            }
            absorb(work, into: &open!, at: time)
        }
        metrics.queueDepth.set(Int64(machine.queuedEvents))
        if machine.hasSpace { releaseWaiters() }
    }

    private func absorb(_ work: [Work], into prepared: inout Prepared, at time: Timestamp) {
        // The engine's clock moves first, as it does in the rule-test driver: timers due before these arrivals
        // fire before the events are taken.
        prepared.builder.add(engine.advance(to: time))
        // Runs of submissions go through the engine together: one snapshot per touched incident and alert for
        // the whole run instead of one per submission.
        var run: [(events: [Event], columns: EventColumns?, ticket: IngestTicket)] = []
        func flushRun() {
            guard !run.isEmpty else { return }
            let (effects, touched) = engine.ingest(groups: run.map(\.events))
            prepared.builder.add(effects)
            for (submission, incidents) in zip(run, touched) {
                prepared.builder.add(events: submission.events, columns: submission.columns)
                prepared.outcomes.append(
                    .events(
                        submission.ticket,
                        IngestReceipt(accepted: submission.events.count, incidents: incidents.map(Incident.id))))
                prepared.eventCount += submission.events.count
            }
            run.removeAll()
        }
        for item in work {
            switch item {
            case .events(let events, let columns, let positions, let ticket):
                run.append((Self.stamped(events, at: time), columns, ticket))
                for (key, value) in positions { prepared.builder.positions[key] = value }
            case .command(let body, let continuation):
                flushRun()
                // A command's effects are few and must survive a crash with the engine state that produced them:
                // an acknowledgement replayed from an older checkpoint would otherwise be forgotten.
                prepared.hasCommand = true
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
    }

    /// The events with `receivedAt` set to `time`, the time the engine's clock was advanced to before them, as
    /// they are stored: a restart's replay advances the clock once per such time, as this pipeline did once per
    /// absorb, so the same timers fire between the same events (`EngineRecovery`). They were received a moment
    /// before (decoded, then queued).
    private static func stamped(_ events: [Event], at time: Timestamp) -> [Event] {
        guard events.contains(where: { $0.receivedAt != time }) else { return events }
        var events = events
        for i in events.indices { events[i].receivedAt = time }
        return events
    }

    /// Starts the commit the state machine planned; its result comes back through `commitReturned`.
    ///
    /// Checkpoints never hold the pipeline: the engine is copied (its tables are copy-on-write, so this is cheap
    /// until the next change) and exported and encoded off the actor. An operator command's checkpoint is
    /// encoded with its own batch, so that the command cannot be forgotten by a restart. A timed one is
    /// encoded while later batches keep committing and is carried by the first commit after it is ready: at
    /// 100,000 alerts encoding takes most of a second, which held every acknowledgement for that long.
    private func startCommit(_ plan: PipelineStateMachine<Work, Prepared>.CommitPlan) {
        var batch = (plan.batch?.builder ?? BatchBuilder(at: now(), subscribers: subscribers())).batch()
        // Activity (alerts seen again, unchanged) waits for the next write of it, also past a checkpoint: the state a
        // checkpoint saves lists what is held then, and a restart holds that again (see `DeferredActivity`).
        let time = uptime()
        let flush: DeferredActivity.Flush
        if deferred.count >= tuning.maxDeferredActivity + heldOnRestore {
            flush = .all
        } else if deferred.isDraining || time - activityWritten >= tuning.activityFlushInterval {
            flush = .slice(limit: activitySliceLimit(at: time))
        } else {
            flush = .none
        }
        // Live pages re-read through the API, which shows held counts: they hear of a change at this commit.
        let changesIncidents = !batch.incidents.isEmpty || !batch.incidentActivity.isEmpty || !batch.timeline.isEmpty
        if deferred.route(&batch, flush: flush) { activityWriteEnded(at: time) }
        // What is held now belongs to events up to this batch's: a checkpoint taken of the engine now lists it.
        var takesState = plan.deferredGeneration != nil
        if case .inline = plan.checkpoint { takesState = true }
        let unwritten = takesState ? deferred.unwritten : nil
        var inline: CorrelationEngine?
        var carries = false
        switch plan.checkpoint {
        case .none: break
        // The state covers exactly what is in this batch and before it: nothing is absorbed between here and
        // the commit's start, and the next batch's effects are not in the store until their own commit.
        case .inline: inline = engine
        case .carry(let part) where part.count == 1:
            batch.engineState = part.data
            batch.engineStateThroughEvent = part.throughEvent
            carries = true
        case .carry(let part):
            batch.engineStatePart = part
            carries = part.isLast
        }
        if let generation = plan.deferredGeneration {
            let (snapshot, logger, uptime) = (engine, logger, uptime)
            Task.detached(priority: .medium) {
                let (data, cost) = await BackgroundThread.run(name: "incidentd-ckpt") {
                    Self.encode(snapshot, unwritten: unwritten, logger: logger, uptime: uptime)
                }
                await self.deferredEncoded(data, cost: cost, generation: generation)
            }
        }
        inFlight = (batch, uptime())
        let (store, logger, uptime, metrics, now) = (self.store, self.logger, self.uptime, self.metrics, self.now)
        // Started now, beside the engine's next batch: a task created here would run on this actor, which the loop
        // keeps busy absorbing that batch, and the two strictly took turns whenever work was queued (the journal
        // path, BENCHMARKS.md, issue 16). The SQLite store queues it on its writer from here; a detached task that
        // only waited for the writer cost each commit a thread's wake-up. An inline checkpoint is encoded off the
        // actor first. The result comes back to the actor in a task of its own.
        let releasesMemory = inline != nil || carries
        // A durable commit is answered where its result arrives (the SQLite writer's thread), before the actor hears
        // of it: the delivery, the submitters and the live pages wait for nothing else, and a reply no longer waits
        // for a task to wake, take the actor and resume it (one thread's wake-up less a request, BENCHMARKS.md).
        // A success always completes the batch (`PipelineStateMachine.finishCommit`); a failure is answered on the
        // actor, where the batch behind it fails too.
        let outcomes = plan.batch?.outcomes ?? []
        let notifies = !batch.notifications.isEmpty
        let (outboxFilled, incidentsChanged) = (self.outboxFilled, self.incidentsChanged)
        @Sendable func commit(_ batch: StoreBatch, checkpointCost cost: Duration?) {
            let committing = uptime()
            store.startCommit(batch) { result in
                var part: (EngineStatePart, Duration)?
                if case .success = result {
                    let took = uptime() - committing
                    if let state = batch.engineState {
                        metrics.checkpointWritten(bytes: state.count, commit: took, at: now())
                    }
                    if let written = batch.engineStatePart { part = (written, took) }
                }
                // With the other metrics of the checkpoint the commit carried, before anyone is answered.
                if let cost { metrics.checkpointEncodeSeconds.set(cost / .seconds(1)) }
                // The actor first, so that the next batch's commit starts before the answered submitters run.
                Task { await self.commitReturned(result, checkpointCost: cost, partWritten: part) }
                if case .success(let report) = result {
                    if notifies { outboxFilled(report.queued) }
                    for outcome in outcomes { outcome.succeed() }
                    if changesIncidents { incidentsChanged() }
                }
                if releasesMemory { Task.detached(priority: .background) { MallocTuning.releaseFreedMemory() } }
            }
        }
        guard let inline else { return commit(batch, checkpointCost: nil) }
        Task.detached {
            var batch = batch
            let encoded = Self.encode(inline, unwritten: unwritten, logger: logger, uptime: uptime)
            batch.engineState = encoded.data
            commit(batch, checkpointCost: encoded.cost)
        }
    }

    /// How many held snapshots a commit starting at `time` takes of the write of them: the write is paced over
    /// half the flush interval, so that each commit of a busy pipeline carries a little of it. Taken whole by the
    /// commits of a few milliseconds, 2,000 alerts seen again still made a burst of latency once a second.
    private func activitySliceLimit(at time: Duration) -> Int {
        guard deferred.isDraining else {
            activityDrainBegan = time
            return tuning.activitySlice
        }
        var spread = tuning.activityFlushInterval / 2
        if heldOnRestore > 0 {
            spread = max(spread, .seconds(Double(heldOnRestore) / Double(max(1, tuning.heldOnRestoreRate))))
        }
        let elapsed = time - activityDrainBegan
        let due =
            elapsed >= spread
            ? deferred.drainTotal : Int((Double(deferred.drainTotal) * (elapsed / spread)).rounded(.up))
        return max(tuning.activitySlice, due - deferred.drainPosition)
    }

    /// A write of what was held is over: the next one is due an interval after it. While a rebuild's backlog lasts
    /// (what was held again during its write is more than half an interval's worth at `heldOnRestoreRate`, and
    /// less than the write took), the next begins at once and is spread by its size too: left for the interval, it
    /// was written in one burst. A backlog that does not shrink is a load the rate does not keep up with: the usual
    /// pace takes over.
    private func activityWriteEnded(at time: Duration) {
        activityWritten = time
        if Self.chasesBacklog(written: heldOnRestore, heldAgain: deferred.count, tuning: tuning) {
            heldOnRestore = deferred.count
            activityWritten = time - tuning.activityFlushInterval
        } else {
            heldOnRestore = 0
        }
    }

    /// Whether the write of a rebuild's backlog of `written` snapshots, which ended with `heldAgain` held, goes on
    /// with those at once (`activityWriteEnded`).
    static func chasesBacklog(written: Int, heldAgain: Int, tuning: Tuning) -> Bool {
        let rate = Double(max(1, tuning.heldOnRestoreRate))
        let overHalfAnInterval = Double(heldAgain) > rate * ((tuning.activityFlushInterval / 2) / .seconds(1))
        return written > 0 && overHalfAnInterval && heldAgain < written
    }

    /// Exports and encodes a copy of the engine, with what was held when it was copied; runs off the actor.
    private nonisolated static func encode(
        _ engine: CorrelationEngine, unwritten: EngineState.UnwrittenActivity?, logger: Logger,
        uptime: @Sendable () -> Duration
    ) -> (data: Data?, cost: Duration) {
        let started = uptime()
        let startedCPU = threadCPUTime()
        do {
            var state = engine.exportState()
            state.unwritten = unwritten
            let data = try state.encoded()
            // The CPU it took, which sets the checkpoints' spacing. Its wall time on a busy machine is up to twice
            // that (the load has the other core), and spaced by it a sustained load left twice the events to
            // replay after `kill -9` (BENCHMARKS.md, issue 16). The monotonic clock still bounds it: tests step a
            // test clock that does not move while this runs.
            let cost = min(uptime() - started, threadCPUTime() - startedCPU)
            return (data, cost)
        } catch {
            logger.error("cannot encode the engine state", metadata: ["error": "\(error)"])
            return (nil, uptime() - started)
        }
    }

    /// The CPU time this thread has used. The encoding runs on one thread from start to end: it does not suspend.
    private nonisolated static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }

    private func deferredEncoded(_ data: Data?, cost: Duration, generation: Int) {
        let wake = machine.deferredEncoded(data, cost: cost, generation: generation)
        // The cost the state machine took (a superseded encoding's is not), so the gauge says what spaces checkpoints.
        metrics.checkpointEncodeSeconds.set(machine.lastCheckpointCost / .seconds(1))
        if wake { wakeLoop() }
    }

    private func commitReturned(
        _ result: Result<CommitReport, any Error>, checkpointCost: Duration?,
        partWritten: (part: EngineStatePart, commit: Duration)? = nil
    ) {
        if let (part, commit) = partWritten {
            // The metrics show a checkpoint written in parts once its last is: its bytes, and the longest of the
            // commits that carried them (each also wrote its batch's events).
            if part.index == 0 { partsWritten = (0, .zero) }
            partsWritten.bytes += part.data.count
            partsWritten.commit = max(partsWritten.commit, commit)
            if part.isLast {
                metrics.checkpointWritten(bytes: partsWritten.bytes, commit: partsWritten.commit, at: now())
            }
        }
        machine.commitReturned(result.map(\.eventIDs), checkpointCost: checkpointCost)
        stepWhileParked()
    }

    private func committed(_ prepared: Prepared?) {
        guard let (batch, started) = inFlight else { return }
        inFlight = nil
        metrics.commitSeconds.record(uptime() - started)
        metrics.eventsCommitted.increment(by: batch.events.count)
        metrics.batchesCommitted.increment()
        metrics.commitSucceeded()
        guard let prepared else { return }
        // Its outcomes were answered, the delivery and the live pages told, where the commit returned (`startCommit`).
        prepared.builder.log(logger, metrics: metrics, unmatchedLogged: &unmatchedLogged)
    }

    private func commitFailed(_ prepared: Prepared?, behind: Prepared?, _ error: any Error) {
        // Held activity belongs to events after the last checkpoint or is listed by it: the engine's rebuild holds
        // again what the checkpoint lists and what the events it replays say (`EngineRecovery`), and writes it.
        deferred.removeAll()
        heldOnRestore = 0
        let events = inFlight?.batch.events.count ?? 0
        inFlight = nil
        metrics.commitFailed(error, at: now())
        logger.error(
            "commit failed; the batch was not recorded and its sources were not acknowledged",
            metadata: ["error": "\(error)", "events": "\(events)"])
        let failure = IngestError(.storeFailed, "the store could not commit: \(error)")
        for outcome in prepared?.outcomes ?? [] { outcome.fail(failure) }
        // The batch behind was run on top of the failed one: it fails with it, and is not committed.
        for outcome in behind?.outcomes ?? [] { outcome.fail(failure) }
    }

    /// Writes the next slice of held activity (`activityIdleSlice`) in a commit of its own (only while no other
    /// commit runs) and returns whether it did. A failure is logged and the slice stays held for the next try or the
    /// next batch's commit; the events it came from are in the store either way.
    private func writeDeferredActivity() async -> Bool {
        if !deferred.isDraining { activityDrainBegan = uptime() }
        let (batch, end) = deferred.nextSlice(tuning.activityIdleSlice, at: now())
        if batch.alertActivity.isEmpty && batch.incidentActivity.isEmpty {
            // What is left of the drain was written in full meanwhile.
            if deferred.sliceWritten(through: end) { activityWriteEnded(at: uptime()) }
            return true
        }
        do {
            _ = try await store.commit(batch)
            // Only the loop changes what is held, and it is here: the slice is as it was written.
            if deferred.sliceWritten(through: end) { activityWriteEnded(at: uptime()) }
            if !batch.incidentActivity.isEmpty { incidentsChanged() }
            return true
        } catch {
            logger.warning("cannot write alerts' last-seen times and counts", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Submissions and commands waiting to be absorbed (for tests that step the pipeline with gated commits).
    var queuedWork: Int { machine.queuedWork }

    /// Whether the loop is waiting (for work, a timer or a commit): with nothing queued and no commit in flight, it
    /// has made every decision it could (for tests).
    var isWaiting: Bool { wake != nil }

    /// The pipeline's clock (`uptime`) moved where its own waits cannot see it, as a test's clock does: the loop
    /// decides again now instead of at the end of its wait.
    func clockMoved() { wakeLoop() }

    /// What a reader of the store should see of these incidents: their counts as held (see `DeferredActivity`).
    func overlay(_ incidents: [Incident]) -> [Incident] {
        deferred.isEmpty ? incidents : incidents.map { deferred.overlay($0) }
    }

    /// ... and of these alerts.
    func overlay(_ alerts: [AlertSnapshot]) -> [AlertSnapshot] {
        deferred.isEmpty ? alerts : alerts.map { deferred.overlay($0) }
    }

    private func commitCheckpoint() async {
        // Everything held goes with it: a clean stop leaves the store complete.
        let state = Self.encode(engine, unwritten: nil, logger: logger, uptime: uptime).data
        // Without a state (its encoding failed, which was logged) the held counts are still written: a restart
        // would replay them from the last checkpoint saved, but nothing says one comes soon.
        guard state != nil || !deferred.isEmpty else { return }
        var batch = deferred.batch(at: now())
        batch.engineState = state
        deferred.removeAll()
        let started = uptime()
        do {
            _ = try await store.commit(batch)
            if let state { metrics.checkpointWritten(bytes: state.count, commit: uptime() - started, at: now()) }
        } catch {
            logger.error("cannot save the engine state at shutdown", metadata: ["error": "\(error)"])
        }
    }

    /// The engine already holds the effects of the batch that failed; the store does not. Rebuild the engine
    /// from the store, which is the truth, so the next batch starts from what is recorded. Until that works no
    /// batch runs (sources stop reading: back-pressure, SPEC §9); the attempts back off from 200 ms to 5 s and
    /// end only with success or a stop.
    private func recoverAfterFailedCommit() async {
        var pause = Duration.milliseconds(200)
        while true {
            // Give a failing disk a moment first: the commit has just failed.
            try? await Task.sleep(for: pause)
            do {
                let restored = try await EngineRecovery(store: store, logger: logger).restore(
                    ruleSet: engine.ruleSet, clamp: engine.clamp)
                // Written here rather than handed over as at start: this write is also the sign that the store
                // takes writes again. Handed over, a rebuild that only reads succeeded at once on a full disk, and the
                // next batch failed and rebuilt again every 200 ms instead of intake waiting, backing off.
                if !restored.held.isEmpty { _ = try await store.commit(restored.held.batch(at: now())) }
                engine = restored.engine
                machine.recovered(replayed: restored.replayed)
                return
            } catch {
                logger.critical(
                    "cannot rebuild the engine from the store; intake waits until it can",
                    metadata: ["error": "\(error)", "retry_in": "\(pause)"])
            }
            if machine.isStopping || Task.isCancelled { return }
            pause = min(pause * 2, .seconds(5))
        }
    }

    enum Work {
        /// `columns`: the events' text columns, when the submitter wrote them (`writesEventColumns`).
        case events(events: [Event], columns: EventColumns?, positions: [String: String], ticket: IngestTicket)
        case command(Command, CheckedContinuation<any Sendable, any Error>)

        /// Refuses work that never ran.
        func fail(_ failure: IngestError) {
            switch self {
            case .events(_, _, _, let ticket): ticket.complete(.failure(failure))
            case .command(_, let continuation): continuation.resume(throwing: failure)
            }
        }
    }

    enum Outcome: Sendable {
        case events(IngestTicket, IngestReceipt)
        case command(CheckedContinuation<any Sendable, any Error>, Result<any Sendable, any Error>)

        func succeed() {
            switch self {
            case .events(let ticket, let receipt): ticket.complete(.success(receipt))
            case .command(let continuation, let result): continuation.resume(with: result)
            }
        }

        func fail(_ failure: IngestError) {
            switch self {
            case .events(let ticket, _): ticket.complete(.failure(failure))
            case .command(let continuation, _): continuation.resume(throwing: failure)
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
