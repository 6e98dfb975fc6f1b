import Foundation
import IncidentCore

/// A batch as the pipeline's state machine sees it: how many events it holds, whether an operator command ran in
/// it, and whether it has anything to write or anyone to answer.
protocol PipelineBatch {
    var eventCount: Int { get }
    var hasCommand: Bool { get }
    var isEmpty: Bool { get }
}

/// Every decision of the ingest pipeline, and nothing else: no engine, no store, no clock, no tasks
/// (the style of swift-nio's state machines). `IngestPipeline` drives it: it asks `nextStep` what to do, does it
/// (runs the engine, starts a commit, waits), and reports back what happened (`absorb`, `commitReturned`,
/// `deferredEncoded`, `recovered`). Inputs carry the time, so tests drive every path directly.
///
/// What it decides:
/// - **Queueing and back-pressure**: submissions wait once `queueCapacity` events are queued.
/// - **Batching**: what is queued goes through the engine together, up to `maxBatchEvents` a batch.
/// - **Overlapped group commit**: one commit at a time, in queue order; while it runs the engine already takes
///   the next batch. A failed commit fails the batch prepared behind it (the engine ran it on top of effects the
///   store does not have), and no batch runs until the engine was rebuilt from the store.
/// - **Checkpoints**: an operator command's batch carries one encoded with it; otherwise one is taken every
///   `checkpointInterval` or `checkpointEvents`, but never more often than twenty times its last encoding took,
///   and it is encoded off the pipeline and carried by later commits (`throughEvent` = the last event of the
///   batch it was taken after), one part of at most `checkpointPartBytes` a commit: written whole, 6–8 MB at
///   100,000 alerts held every event behind its commit for 0.05–0.15 s.
/// - **Stopping**: `stop()` drains everything queued and ends with a final checkpoint; `cancel()` (the task was
///   cancelled: a crash as far as the store goes) lets the commit in flight return, refuses the rest and writes
///   no checkpoint.
struct PipelineStateMachine<Work, Batch: PipelineBatch> {
    struct Limits {
        var queueCapacity: Int
        var maxBatchEvents: Int
        var checkpointInterval: Duration
        var checkpointEvents: Int
        var checkpointPartBytes: Int
        var idleTick: Duration
    }

    enum Submission: Equatable {
        /// Queued; the loop should be woken.
        case queued
        /// The queue is full: wait for space, then submit again.
        case full
        /// The pipeline is stopping or stopped.
        case refused
    }

    enum CheckpointPlan {
        case none
        /// Encode the engine as it stands (this batch included) and write it with this batch.
        case inline
        /// Write this deferred checkpoint, encoded earlier, with this batch: whole when `part.count` is 1.
        case carry(EngineStatePart)
    }

    struct CommitPlan {
        /// Nil for a batch of its own that only carries a deferred checkpoint.
        var batch: Batch?
        var checkpoint: CheckpointPlan
        /// Start encoding a copy of the engine as it stands now (this batch included) for a deferred checkpoint of
        /// this generation; report it with `deferredEncoded`.
        var deferredGeneration: Int?
    }

    enum Step {
        /// Run `work` through the engine (first advancing its clock: with no work, this fires due timers) into the
        /// open batch, in `absorb(_:)`.
        case absorb([Work])
        /// Start this commit; report its result with `commitReturned`.
        case commit(CommitPlan)
        /// The commit of `batch` succeeded: answer everyone in it.
        case committed(Batch?)
        /// The commit of `batch` failed, and so does `behind`, the batch prepared on top of it. With `recover`, the
        /// engine must be rebuilt from the store (then `recovered`) before anything else runs.
        case commitFailed(Batch?, behind: Batch?, any Error, recover: Bool)
        /// Idle: wait for work, or at most this long (a timer falls due, or the idle tick).
        case waitForWork(Duration)
        /// A commit is in flight (or the next batch is full): wait for it or for new work.
        case waitForWake
        /// Stopped with everything committed: write the final checkpoint and return.
        case finish
        /// Stopped without committing these: refuse them and return (no checkpoint: the engine may hold effects
        /// the store does not).
        case abandon([Work], open: Batch?)
    }

    private struct Committing {
        var batch: Batch?
        var sequence: Int
        var inlineCheckpoint: Bool
    }

    /// A checkpoint of the engine as it stood after batch `covers` was absorbed.
    private struct Deferred {
        var generation: Int
        var covers: Int
        /// Known once batch `covers` committed.
        var throughEvent: Int64?
        /// Known once the encoding finished.
        var data: Data?
        /// The parts of `data` handed out so far.
        var partsCarried = 0
    }

    let limits: Limits

    private var queue: [Work] = []
    private var queueHead = 0
    private var queueEvents: [Int] = []
    private(set) var queuedEvents = 0
    /// Submissions and commands waiting to be absorbed.
    var queuedWork: Int { queue.count - queueHead }
    private var open: Batch?
    /// Events in the open batch before the absorb in progress.
    private var absorbingFrom = 0
    private var committing: Committing?
    private var commitResult: Result<[Int64], any Error>?
    private var stopping = false
    private var cancelled = false
    private(set) var finished = false
    /// The engine holds effects the store does not: no batch may run and no checkpoint may be written.
    private(set) var recovering = false

    private(set) var eventsSinceCheckpoint = 0
    private var lastCheckpoint: Duration
    /// The CPU the last checkpoint's encoding took (an inline one's, or a deferred one's that was not superseded):
    /// what spaces the next, and what `incidentd_checkpoint_encode_seconds` shows.
    private(set) var lastCheckpointCost: Duration = .zero
    private var batchSequence = 0
    private var lastEventID: Int64?
    private var deferred: Deferred?
    private var checkpointGeneration = 0

    /// `uptime` is the driver's monotonic clock now; the interval to the first checkpoint counts from it.
    init(limits: Limits, uptime: Duration) {
        self.limits = limits
        lastCheckpoint = uptime
    }

    var isStopping: Bool { stopping }
    var hasSpace: Bool { queuedEvents < limits.queueCapacity || stopping }

    // MARK: - Inputs

    mutating func submit(_ work: Work, events: Int) -> Submission {
        guard !stopping else { return .refused }
        guard queuedEvents < limits.queueCapacity else { return .full }
        append(work, events: events)
        return .queued
    }

    /// Operator commands are few and never wait for space.
    mutating func submitCommand(_ work: Work) -> Submission {
        guard !stopping else { return .refused }
        append(work, events: 0)
        return .queued
    }

    private mutating func append(_ work: Work, events: Int) {
        queue.append(work)
        queueEvents.append(events)
        queuedEvents += events
    }

    /// Drain and stop.
    mutating func stop() { stopping = true }

    /// Stop now: answer the commit in flight, refuse everything else.
    mutating func cancel() {
        stopping = true
        cancelled = true
    }

    /// Hands the open batch (nil: none yet) to `body`, which adds the work of the last `absorb` step to it. The
    /// batch is changed in place: handing it out and back would copy everything it holds on each absorb.
    mutating func absorb(_ body: (inout Batch?) -> Void) {
        body(&open)
        eventsSinceCheckpoint += (open?.eventCount ?? 0) - absorbingFrom
    }

    /// The commit started by the last `commit` step returned. `checkpointCost` is how long an inline checkpoint's
    /// encoding took.
    mutating func commitReturned(_ result: Result<[Int64], any Error>, checkpointCost: Duration?) {
        precondition(committing != nil && commitResult == nil, "a commit returned that was not started")
        commitResult = result
        if let checkpointCost { lastCheckpointCost = checkpointCost }
    }

    /// A deferred checkpoint's encoding finished (`data` nil: it failed). Returns whether the loop should wake.
    mutating func deferredEncoded(_ data: Data?, cost: Duration, generation: Int) -> Bool {
        guard deferred?.generation == generation else { return false }
        lastCheckpointCost = cost
        guard let data else {
            deferred = nil
            return false
        }
        deferred?.data = data
        return true
    }

    /// The engine was rebuilt from the store after a failed commit, replaying `replayed` events.
    mutating func recovered(replayed: Int) {
        recovering = false
        eventsSinceCheckpoint = replayed
    }

    // MARK: - The next step

    /// What to do now. `uptime` is the monotonic clock; `untilTimer` is how long until the engine's next timer
    /// falls due (nil: none).
    mutating func nextStep(uptime: Duration, untilTimer: Duration?) -> Step {
        while true {
            if let result = commitResult, let done = committing {
                commitResult = nil
                committing = nil
                return finishCommit(done, result, uptime: uptime)
            }
            if finished { return .abandon([], open: nil) }
            if recovering || (cancelled && committing == nil) {
                // A stop while the engine is out of step with the store, or a cancellation: nothing more runs.
                finished = true
                let open = self.open
                self.open = nil
                return .abandon(takeAll(), open: open)
            }
            if cancelled { return .waitForWake }
            // A submission is never split: one larger than a batch goes alone, and one that does not fit in the
            // open batch waits for the next.
            if queueHead < queue.count,
                open == nil || open!.eventCount + queueEvents[queueHead] <= limits.maxBatchEvents
            {
                absorbingFrom = open?.eventCount ?? 0
                return .absorb(take(limit: limits.maxBatchEvents - absorbingFrom))
            }
            if committing == nil, let batch = open {
                open = nil
                if let plan = planCommit(batch, uptime: uptime) { return .commit(plan) }
                continue
            }
            if committing == nil, deferred?.data != nil, deferred?.throughEvent != nil, !stopping {
                // Nothing else to commit: the deferred checkpoint goes in a batch of its own.
                if let plan = planCommit(nil, uptime: uptime) { return .commit(plan) }
                continue
            }
            if committing == nil && queueHead == queue.count {
                if stopping {
                    finished = true
                    return .finish
                }
                guard let untilTimer else { return .waitForWork(limits.idleTick) }
                if untilTimer <= .zero {
                    // Timers fall due while idle: fire them into a batch of their own.
                    absorbingFrom = 0
                    return .absorb([])
                }
                return .waitForWork(min(limits.idleTick, untilTimer))
            }
            return .waitForWake
        }
    }

    private mutating func take(limit: Int) -> [Work] {
        var taken: [Work] = []
        var events = 0
        while queueHead < queue.count {
            let count = queueEvents[queueHead]
            if events > 0 && events + count > limit { break }
            events += count
            taken.append(queue[queueHead])
            queueHead += 1
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueEvents.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 4096 {
            queue.removeFirst(queueHead)
            queueEvents.removeFirst(queueHead)
            queueHead = 0
        }
        queuedEvents -= events
        return taken
    }

    private mutating func takeAll() -> [Work] {
        let rest = Array(queue[queueHead...])
        queue.removeAll()
        queueEvents.removeAll()
        queueHead = 0
        queuedEvents = 0
        return rest
    }

    /// Whether `batch` goes to the store with a checkpoint, and which; nil when there is nothing to commit.
    private mutating func planCommit(_ batch: Batch?, uptime: Duration) -> CommitPlan? {
        var inline = batch?.hasCommand ?? false
        var deferNow = false
        // A checkpoint costs in proportion to the engine's state (0.4–0.5 s of CPU at 100,000 alerts), so one comes
        // no more often than twenty times its last encoding took (its CPU, as the driver measures it), whether time
        // or the event count calls for it: at most about 5% of a core. What a restart replays is bounded all the
        // same, by that time and the rate of events.
        let sinceLast = uptime - lastCheckpoint
        let spacing = lastCheckpointCost * 20
        let interval = max(limits.checkpointInterval, spacing)
        if !inline, deferred == nil, eventsSinceCheckpoint > 0,
            (eventsSinceCheckpoint >= limits.checkpointEvents && sinceLast >= spacing) || sinceLast >= interval
        {
            // Deferring needs a committed event to name; before this process committed one, encode inline.
            if lastEventID != nil || (batch?.eventCount ?? 0) > 0 { deferNow = true } else { inline = true }
        }
        var checkpoint = CheckpointPlan.none
        if inline {
            // This one is newer: a deferred one written after it would take the engine back.
            dropDeferred()
            checkpoint = .inline
        } else if let ready = deferred, let data = ready.data, let through = ready.throughEvent {
            let size = max(1, limits.checkpointPartBytes)
            let count = max(1, data.count / size + (data.count % size == 0 ? 0 : 1))
            let start = data.startIndex + ready.partsCarried * size
            let part = count == 1 ? data : Data(data[start..<min(start + size, data.endIndex)])
            if ready.partsCarried + 1 == count {
                deferred = nil
            } else {
                deferred?.partsCarried += 1
            }
            checkpoint = .carry(
                EngineStatePart(index: ready.partsCarried, count: count, data: part, throughEvent: through))
        }
        if case .none = checkpoint, !deferNow, batch?.isEmpty ?? true { return nil }

        batchSequence += 1
        var generation: Int?
        if deferNow {
            checkpointGeneration += 1
            generation = checkpointGeneration
            deferred = Deferred(generation: checkpointGeneration, covers: batchSequence)
            // Events absorbed from here on are not covered by it.
            eventsSinceCheckpoint = 0
            lastCheckpoint = uptime
        }
        committing = Committing(batch: batch, sequence: batchSequence, inlineCheckpoint: inline)
        return CommitPlan(batch: batch, checkpoint: checkpoint, deferredGeneration: generation)
    }

    private mutating func finishCommit(_ done: Committing, _ result: Result<[Int64], any Error>, uptime: Duration)
        -> Step
    {
        switch result {
        case .success(let ids):
            if let last = ids.last { lastEventID = last }
            if deferred?.covers == done.sequence { deferred?.throughEvent = lastEventID }
            if done.inlineCheckpoint {
                // Events absorbed into the open batch since are not covered by this checkpoint.
                eventsSinceCheckpoint = open?.eventCount ?? 0
                lastCheckpoint = uptime
            }
            return .committed(done.batch)
        case .failure(let error):
            // A deferred checkpoint may cover the failed batch, or have been carried by it: the next one comes from
            // the engine rebuilt from the store.
            dropDeferred()
            let behind = open
            open = nil
            if !cancelled { recovering = true }
            return .commitFailed(done.batch, behind: behind, error, recover: !cancelled)
        }
    }

    private mutating func dropDeferred() {
        deferred = nil
        checkpointGeneration += 1
    }
}
