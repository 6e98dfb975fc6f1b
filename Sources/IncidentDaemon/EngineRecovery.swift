import IncidentCore
import IncidentEngine
import IncidentRules
import Logging

/// Rebuilds the engine from the store: the last checkpoint, then every event committed after it, in commit
/// order, through the same engine code. The replayed events' effects are already in the store (they were
/// committed with the events), so they are discarded here, except activity (an alert's last-seen time and
/// counts): the pipeline may have held that back (`DeferredActivity`). That, with the activity the checkpoint
/// lists as held when it was taken (`EngineState.unwritten`), is what the rebuild holds (`Restored.held`); the
/// pipeline it is handed to writes it as it writes its own (`IngestPipeline.init(held:)`), after the daemon is ready.
///
/// Nothing is lost if the process dies again before that write: a checkpoint taken meanwhile lists what is still
/// held (`EngineState.unwritten`), and without one the next rebuild holds the same again. Written here in one commit
/// instead, a restart after `kill -9` with 100,000 alerts sent again since the checkpoint spent half a second on it
/// before it was ready (BENCHMARKS.md, issue 16). The rebuild after a failed commit still writes it itself.
struct EngineRecovery {
    let store: any IncidentStore
    let logger: Logger
    /// Events read from the store at a time while replaying.
    var replayPage = 5_000
    /// Asked after each page replayed: true ends the rebuild with `Stopped` (a stop asked for while the daemon
    /// starts: SIGTERM need not wait for a replay of hundreds of thousands of events). The rebuild writes
    /// nothing, so the next start rebuilds from the same checkpoint and events.
    var stopRequested: @Sendable () -> Bool = { false }

    /// The rebuild ended because a stop was asked for (`stopRequested`), after replaying `replayed` events.
    struct Stopped: Error {
        var replayed: Int
    }

    struct Restored {
        var engine: CorrelationEngine
        var replayed: Int
        /// Activity not in the store: the checkpoint's list and the replay's, for the pipeline to write.
        var held: DeferredActivity
        /// Stored events recovery refused to replay (`Event.validityProblem`): logged, counted, skipped.
        var quarantined: Int = 0
        /// How long the rebuild took: the checkpoint, then the events after it.
        var took: Duration = .zero
    }

    func restore(ruleSet: RuleSet, clamp: Duration = .seconds(60)) async throws -> Restored {
        var engine: CorrelationEngine
        var activity = DeferredActivity()
        let clock = ContinuousClock()
        let started = clock.now
        var decoded = Duration.zero
        let checkpoint = try await store.engineCheckpoint()
        // The store reads the next page of events while the engine takes this one (and the first page while the
        // checkpoint is decoded): on two cores the replay after `kill -9` costs about the larger of the two rather
        // than their sum.
        var after = checkpoint?.throughEvent ?? 0
        var reading = read(after: after)
        defer { reading.cancel() }
        if let checkpoint {
            let state: EngineState
            do {
                state = try EngineState.decode(checkpoint.data)
            } catch {
                throw DaemonError(
                    .badEngineState,
                    "the saved engine state in the store cannot be read (\(error)); it was written by another "
                        + "version of incidentd. Move the database aside to start afresh, or run the version "
                        + "that wrote it.")
            }
            engine = CorrelationEngine(restoring: state, ruleSet: ruleSet, clamp: clamp)
            decoded = clock.now - started
            // Held by the pipeline then, as of the checkpoint; the replay below replaces or drops them as the
            // pipeline did.
            if let unwritten = state.unwritten { activity.absorb(Self.held(unwritten, in: engine)) }
        } else {
            engine = CorrelationEngine(ruleSet: ruleSet, clamp: clamp)
        }
        var replayed = 0
        var quarantined = 0
        var advanced: Timestamp?
        while true {
            let page = try await reading.value
            guard let last = page.last else { break }
            reading = read(after: last.id)
            for (id, event) in page {
                if let problem = event.validityProblem {
                    // Replaying it could trap on every start (a crash loop under systemd); it stays in the store
                    // for an operator to look at, and the next checkpoint moves past it.
                    logger.error(
                        "stored event quarantined: it is not replayed into the engine",
                        metadata: ["event_id": "\(id)", "problem": "\(problem)"])
                    quarantined += 1
                    continue
                }
                // The live loop advanced the clock once before each run of events it took, and stored them with
                // that time as `receivedAt` (`IngestPipeline.stamped`): advancing once per such time fires the
                // timers it fired, between the same events (their effects are in the store too). Advancing before
                // every event fired a timer already due (an alert whose own time is old) inside a run, where the
                // live engine fired it after the run, and the two engines went apart.
                if event.receivedAt != advanced {
                    activity.absorb(engine.advance(to: event.receivedAt))
                    advanced = event.receivedAt
                }
                activity.absorb(engine.ingest(event))
            }
            replayed += page.count
            after = last.id
            if stopRequested() { throw Stopped(replayed: replayed) }
        }
        let took = clock.now - started
        if replayed > 0 {
            logger.info(
                "engine restored from checkpoint and replayed the events committed after it",
                metadata: [
                    "replayed": "\(replayed)", "through_event": "\(after)", "held": "\(activity.count)",
                    "checkpoint_restored_in": "\(decoded)", "took": "\(took)",
                ])
        }
        return Restored(engine: engine, replayed: replayed, held: activity, quarantined: quarantined, took: took)
    }

    /// Starts reading the page of events after `id`.
    private func read(after id: Int64) -> Task<[(id: Int64, event: Event)], any Error> {
        let (store, limit) = (store, replayPage)
        return Task { try await store.events(after: id, limit: limit) }
    }

    /// What the checkpoint lists as held, as the activity that held it: the alerts as listed, the incidents as the
    /// engine restored from it has them (held means its count is the engine's). An incident the engine does not
    /// have is skipped: what ended it was written in full.
    static func held(_ unwritten: EngineState.UnwrittenActivity, in engine: CorrelationEngine) -> [Effect] {
        unwritten.incidents.compactMap { engine.snapshot($0).map(Effect.incidentActivity) }
            + unwritten.alerts.map { .alertActivity($0.snapshot) }
    }
}
