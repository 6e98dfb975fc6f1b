import Foundation
import IncidentCore
import Testing

@testable import IncidentDaemon

/// The pipeline's decisions, driven step by step: no engine, store, clock or task.
@Suite struct PipelineStateMachineTests {
    /// A batch as the tests build it: the work it took, in order.
    struct Batch: PipelineBatch, Equatable {
        var work: [String] = []
        var eventCount = 0
        var hasCommand = false
        var isEmpty: Bool { work.isEmpty }
    }

    typealias Machine = PipelineStateMachine<String, Batch>

    static func machine(
        capacity: Int = 100, maxBatch: Int = 50, interval: Duration = .seconds(10), events: Int = 1000,
        partBytes: Int = 1 << 20
    ) -> Machine {
        Machine(
            limits: .init(
                queueCapacity: capacity, maxBatchEvents: maxBatch, checkpointInterval: interval,
                checkpointEvents: events, checkpointPartBytes: partBytes, idleTick: .seconds(1)),
            uptime: .zero)
    }

    struct UnexpectedStep: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the absorb step the machine asks for, the way the driver does: work named "cmd…" is an operator
    /// command, anything else one event per letter of its name.
    @discardableResult
    static func absorb(_ machine: inout Machine, at uptime: Duration = .zero) throws -> Batch {
        guard case .absorb(let work) = machine.nextStep(uptime: uptime, untilTimer: nil) else {
            throw UnexpectedStep(description: "expected absorb")
        }
        var absorbed = Batch()
        machine.absorb { open in
            var batch = open ?? Batch()
            for item in work {
                batch.work.append(item)
                if item.hasPrefix("cmd") { batch.hasCommand = true } else { batch.eventCount += item.count }
            }
            open = batch
            absorbed = batch
        }
        return absorbed
    }

    static func commit(_ machine: inout Machine, at uptime: Duration = .zero) throws -> Machine.CommitPlan {
        let step = machine.nextStep(uptime: uptime, untilTimer: nil)
        guard case .commit(let plan) = step else { throw UnexpectedStep(description: "expected commit, got \(step)") }
        return plan
    }

    static func committed(_ machine: inout Machine, ids: [Int64], at uptime: Duration = .zero) throws -> Batch? {
        machine.commitReturned(.success(ids), checkpointCost: nil)
        let step = machine.nextStep(uptime: uptime, untilTimer: nil)
        guard case .committed(let batch) = step else {
            throw UnexpectedStep(description: "expected committed, got \(step)")
        }
        return batch
    }

    /// The name of the next step, with nothing due.
    static func next(_ machine: inout Machine) -> String {
        machine.nextStep(uptime: .zero, untilTimer: nil).name
    }

    @Test func aSubmissionIsAbsorbedCommittedAndAnswered() throws {
        var m = Self.machine()
        #expect(m.submit("aaa", events: 3) == .queued)
        #expect(m.submit("bb", events: 2) == .queued)
        #expect(m.queuedEvents == 5)
        let batch = try Self.absorb(&m)
        #expect(batch.work == ["aaa", "bb"])
        #expect(m.queuedEvents == 0)
        let plan = try Self.commit(&m)
        #expect(plan.batch == batch)
        guard case .none = plan.checkpoint else { Issue.record("no checkpoint was due"); return }
        #expect(plan.deferredGeneration == nil)
        #expect(Self.next(&m) == "waitForWake")
        #expect(try Self.committed(&m, ids: [1, 2, 3, 4, 5]) == batch)
    }

    /// While one batch commits the next is prepared, and it starts committing when the first returns.
    @Test func theNextBatchIsPreparedWhileOneCommitsAndCommitsInOrder() throws {
        var m = Self.machine()
        _ = m.submit("a", events: 1)
        let first = try Self.absorb(&m)
        _ = try Self.commit(&m)
        _ = m.submit("b", events: 1)
        _ = m.submit("c", events: 1)
        let second = try Self.absorb(&m)
        #expect(second.work == ["b", "c"])
        // One commit at a time.
        #expect(Self.next(&m) == "waitForWake")
        #expect(try Self.committed(&m, ids: [1]) == first)
        #expect(try Self.commit(&m).batch == second)
    }

    @Test func aBatchTakesAtMostMaxBatchEventsButNeverSplitsASubmission() throws {
        var m = Self.machine(maxBatch: 8)
        _ = m.submit("aaaaa", events: 5)
        _ = m.submit("bbbbb", events: 5)
        _ = m.submit("cccccccccccc", events: 12)
        #expect(try Self.absorb(&m).work == ["aaaaa"])
        // The open batch has room for 3 more: the next submission does not fit and waits for the next batch.
        #expect(try Self.commit(&m).batch?.work == ["aaaaa"])
        #expect(try Self.absorb(&m).work == ["bbbbb"])
        _ = try Self.committed(&m, ids: [5])
        _ = try Self.commit(&m)
        // A submission larger than a batch still goes through, alone.
        #expect(try Self.absorb(&m).work == ["cccccccccccc"])
    }

    @Test func aFullQueueRefusesUntilABatchIsTaken() throws {
        var m = Self.machine(capacity: 4)
        #expect(m.submit("aaaa", events: 4) == .queued)
        #expect(!m.hasSpace)
        #expect(m.submit("b", events: 1) == .full)
        // Commands never wait for space.
        #expect(m.submitCommand("cmd-ack") == .queued)
        try Self.absorb(&m)
        #expect(m.hasSpace)
        #expect(m.submit("b", events: 1) == .queued)
    }

    @Test func aCommandsBatchCarriesAnInlineCheckpoint() throws {
        var m = Self.machine()
        _ = m.submit("aa", events: 2)
        _ = m.submitCommand("cmd-ack")
        try Self.absorb(&m)
        let plan = try Self.commit(&m)
        guard case .inline = plan.checkpoint else { Issue.record("\(plan.checkpoint)"); return }
        #expect(m.eventsSinceCheckpoint == 2)
        // Events absorbed while it commits are not covered by it.
        _ = m.submit("bbb", events: 3)
        try Self.absorb(&m)
        _ = try Self.committed(&m, ids: [1, 2])
        #expect(m.eventsSinceCheckpoint == 3)
    }

    /// The heart of the deferred checkpoint: it is taken after batch n, and whichever later commit carries it
    /// names the last event of batch n, not its own.
    @Test func aDeferredCheckpointNamesTheLastEventOfTheBatchItWasTakenAfter() throws {
        var m = Self.machine(events: 4)
        _ = m.submit("aaaaa", events: 5)
        try Self.absorb(&m)
        // The first commit of the process has no event id yet but holds events: deferring is possible.
        let plan = try Self.commit(&m)
        let generation = try #require(plan.deferredGeneration)
        guard case .none = plan.checkpoint else { Issue.record("\(plan.checkpoint)"); return }
        #expect(m.eventsSinceCheckpoint == 0)
        // Batch 2 is absorbed while batch 1 commits; its events come after the checkpoint.
        _ = m.submit("bb", events: 2)
        try Self.absorb(&m)
        _ = try Self.committed(&m, ids: [11, 12, 13, 14, 15])
        // Batch 2 commits before the encoding finished: it cannot carry it.
        guard case .none = try Self.commit(&m).checkpoint else { Issue.record("carried before ready"); return }
        let wakes = m.deferredEncoded(Data("state".utf8), cost: .milliseconds(1), generation: generation)
        #expect(wakes)
        _ = try Self.committed(&m, ids: [16, 17])
        // Nothing else to commit: it goes in a batch of its own.
        let own = try Self.commit(&m)
        #expect(own.batch == nil)
        guard case .carry(let part) = own.checkpoint else { Issue.record("\(own.checkpoint)"); return }
        // Smaller than a part: written whole.
        #expect(part == EngineStatePart(index: 0, count: 1, data: Data("state".utf8), throughEvent: 15))
    }

    /// The part a plan carries, or nil.
    static func carried(_ plan: Machine.CommitPlan) -> EngineStatePart? {
        guard case .carry(let part) = plan.checkpoint else { return nil }
        return part
    }

    /// A deferred checkpoint taken after batch 1 ("a", event 1) and encoded as `state`, with nothing else queued.
    static func encodedCheckpoint(_ state: String, partBytes: Int, events: Int = 1000) throws -> Machine {
        var m = Self.machine(events: events, partBytes: partBytes)
        _ = m.submitCommand("cmd")
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        _ = try Self.committed(&m, ids: [])
        _ = m.submit("a", events: 1)
        try Self.absorb(&m, at: .seconds(11))
        let generation = try #require(try Self.commit(&m, at: .seconds(11)).deferredGeneration)
        _ = try Self.committed(&m, ids: [1], at: .seconds(11))
        let wakes = m.deferredEncoded(Data(state.utf8), cost: .zero, generation: generation)
        #expect(wakes)
        return m
    }

    /// A checkpoint larger than a part goes one part a commit, in order, with the batches that come, and on its
    /// own when none does; no other is taken until its last part is handed out.
    @Test func aLargeCheckpointIsCarriedOnePartACommit() throws {
        var m = try Self.encodedCheckpoint("abcdefghij", partBytes: 4, events: 1)
        _ = m.submit("b", events: 1)
        try Self.absorb(&m, at: .seconds(12))
        let first = try Self.commit(&m, at: .seconds(12))
        #expect(first.batch?.work == ["b"])
        #expect(Self.carried(first) == EngineStatePart(index: 0, count: 3, data: Data("abcd".utf8), throughEvent: 1))
        // One checkpoint at a time: the events call for another, but this one is not written yet.
        #expect(first.deferredGeneration == nil)
        _ = m.submit("c", events: 1)
        try Self.absorb(&m, at: .seconds(12))
        _ = try Self.committed(&m, ids: [2], at: .seconds(12))
        let second = try Self.commit(&m, at: .seconds(12))
        #expect(second.batch?.work == ["c"])
        #expect(Self.carried(second) == EngineStatePart(index: 1, count: 3, data: Data("efgh".utf8), throughEvent: 1))
        #expect(second.deferredGeneration == nil)
        _ = try Self.committed(&m, ids: [3], at: .seconds(12))
        // Nothing queued: the last part goes in a batch of its own.
        let last = try Self.commit(&m, at: .seconds(12))
        #expect(last.batch == nil)
        #expect(Self.carried(last) == EngineStatePart(index: 2, count: 3, data: Data("ij".utf8), throughEvent: 1))
        _ = try Self.committed(&m, ids: [], at: .seconds(12))
        #expect(m.nextStep(uptime: .seconds(12), untilTimer: nil).name == "waitForWork")
        // Written: the next batch takes the next checkpoint.
        _ = m.submit("d", events: 1)
        try Self.absorb(&m, at: .seconds(12))
        #expect(try Self.commit(&m, at: .seconds(12)).deferredGeneration != nil)
    }

    /// Parts are cut from the encoded bytes wherever they start (a slice of a larger buffer too), and a size that
    /// divides them exactly leaves no empty part.
    @Test func partsAreCutFromTheBytesThemselves() throws {
        var m = Self.machine(partBytes: 4)
        _ = m.submit("a", events: 1)
        try Self.absorb(&m, at: .seconds(11))
        let generation = try #require(try Self.commit(&m, at: .seconds(11)).deferredGeneration)
        _ = try Self.committed(&m, ids: [1], at: .seconds(11))
        let slice = Data("--abcdefgh".utf8).dropFirst(2)
        #expect(slice.startIndex == 2)
        _ = m.deferredEncoded(slice, cost: .zero, generation: generation)
        let first = try #require(Self.carried(try Self.commit(&m, at: .seconds(11))))
        _ = try Self.committed(&m, ids: [], at: .seconds(11))
        let second = try #require(Self.carried(try Self.commit(&m, at: .seconds(11))))
        _ = try Self.committed(&m, ids: [], at: .seconds(11))
        #expect([first, second].map { String(decoding: $0.data, as: UTF8.self) } == ["abcd", "efgh"])
        #expect([first, second].map(\.count) == [2, 2])
        #expect(m.nextStep(uptime: .seconds(11), untilTimer: nil).name == "waitForWork")
    }

    /// Any part size is taken, the largest too: a checkpoint within it goes whole.
    @Test func aPartAsLargeAsAnIntTakesTheCheckpointWhole() throws {
        var m = try Self.encodedCheckpoint("abcdefghij", partBytes: .max)
        let part = try #require(Self.carried(try Self.commit(&m, at: .seconds(12))))
        #expect(part == EngineStatePart(index: 0, count: 1, data: Data("abcdefghij".utf8), throughEvent: 1))
    }

    /// A command's checkpoint is newer than one partly written: the rest of that one is never handed out.
    @Test func aCommandsCheckpointSupersedesOneWrittenInPart() throws {
        var m = try Self.encodedCheckpoint("abcdefghij", partBytes: 4)
        #expect(Self.carried(try Self.commit(&m, at: .seconds(12)))?.index == 0)
        _ = m.submitCommand("cmd-ack")
        try Self.absorb(&m, at: .seconds(12))
        _ = try Self.committed(&m, ids: [], at: .seconds(12))
        let command = try Self.commit(&m, at: .seconds(12))
        guard case .inline = command.checkpoint else { Issue.record("\(command.checkpoint)"); return }
        _ = try Self.committed(&m, ids: [], at: .seconds(12))
        #expect(m.nextStep(uptime: .seconds(12), untilTimer: nil).name == "waitForWork")
    }

    /// A stop writes a whole checkpoint at the end: the parts not handed out yet are not.
    @Test func aStopFinishesWithoutTheRestOfACheckpointWrittenInPart() throws {
        var m = try Self.encodedCheckpoint("abcdefghij", partBytes: 4)
        #expect(Self.carried(try Self.commit(&m, at: .seconds(12)))?.index == 0)
        m.stop()
        _ = try Self.committed(&m, ids: [], at: .seconds(12))
        #expect(m.nextStep(uptime: .seconds(12), untilTimer: nil).name == "finish")
    }

    /// A commit carrying a part fails: after the rebuild, the rest of that checkpoint is never handed out.
    @Test func aFailedCommitDropsTheRestOfACheckpointWrittenInPart() throws {
        var m = try Self.encodedCheckpoint("abcdefghij", partBytes: 4)
        #expect(Self.carried(try Self.commit(&m, at: .seconds(12)))?.index == 0)
        struct DiskFull: Error {}
        m.commitReturned(.failure(DiskFull()), checkpointCost: nil)
        guard case .commitFailed = m.nextStep(uptime: .seconds(12), untilTimer: nil) else {
            Issue.record("expected commitFailed")
            return
        }
        m.recovered(replayed: 0)
        #expect(m.nextStep(uptime: .seconds(12), untilTimer: nil).name == "waitForWork")
    }

    @Test func aFailedCommitFailsTheBatchBehindItDropsTheDeferredCheckpointAndWaitsForTheRebuild() throws {
        var m = Self.machine(events: 1)
        _ = m.submit("a", events: 1)
        try Self.absorb(&m)
        let generation = try #require(try Self.commit(&m).deferredGeneration)
        _ = m.submit("b", events: 1)
        let behind = try Self.absorb(&m)
        struct DiskFull: Error {}
        m.commitReturned(.failure(DiskFull()), checkpointCost: nil)
        guard
            case .commitFailed(let failed, let failedBehind, _, let recover) = m.nextStep(
                uptime: .zero, untilTimer: nil)
        else {
            Issue.record("expected commitFailed")
            return
        }
        #expect(failed?.work == ["a"])
        #expect(failedBehind == behind)
        #expect(recover)
        #expect(m.recovering)
        // An encoding that finishes now belongs to a batch that never committed.
        let stale = m.deferredEncoded(Data("x".utf8), cost: .zero, generation: generation)
        #expect(!stale)
        m.recovered(replayed: 7)
        #expect(!m.recovering)
        #expect(m.eventsSinceCheckpoint == 7)
        _ = m.submit("c", events: 1)
        #expect(try Self.absorb(&m).work == ["c"])
    }

    /// A stop while the engine could not be rebuilt: nothing queued runs on it, and no checkpoint is written.
    @Test func aStopDuringTheRebuildAbandonsTheQueue() throws {
        var m = Self.machine()
        _ = m.submit("a", events: 1)
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        _ = m.submit("b", events: 1)
        struct DiskFull: Error {}
        m.commitReturned(.failure(DiskFull()), checkpointCost: nil)
        _ = m.nextStep(uptime: .zero, untilTimer: nil)
        m.stop()
        guard case .abandon(let work, let open) = m.nextStep(uptime: .zero, untilTimer: nil) else {
            Issue.record("expected abandon")
            return
        }
        #expect(work == ["b"])
        #expect(open == nil)
    }

    @Test func anIntervalCallsForACheckpointAndItsCostSpacesThemOut() throws {
        var m = Self.machine(interval: .seconds(10), events: 3)
        _ = m.submitCommand("cmd")
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        // The inline checkpoint took 2 s to encode: the next comes no sooner than 40 s later.
        m.commitReturned(.success([]), checkpointCost: .seconds(2))
        _ = m.nextStep(uptime: .zero, untilTimer: nil)
        _ = m.submit("aaaa", events: 4)
        try Self.absorb(&m, at: .seconds(15))
        #expect(try Self.commit(&m, at: .seconds(15)).deferredGeneration == nil, "40 s had not passed")
        _ = try Self.committed(&m, ids: [1, 2, 3, 4])
        _ = m.submit("a", events: 1)
        try Self.absorb(&m, at: .seconds(41))
        #expect(try Self.commit(&m, at: .seconds(41)).deferredGeneration != nil)
    }

    @Test func idleItWaitsForTheNextTimerOrTheTickAndFiresDueTimers() throws {
        var m = Self.machine()
        guard case .waitForWork(let tick) = m.nextStep(uptime: .zero, untilTimer: nil) else {
            Issue.record("expected waitForWork")
            return
        }
        #expect(tick == .seconds(1))
        guard case .waitForWork(let short) = m.nextStep(uptime: .zero, untilTimer: .milliseconds(200)) else {
            Issue.record("expected waitForWork")
            return
        }
        #expect(short == .milliseconds(200))
        guard case .absorb(let work) = m.nextStep(uptime: .zero, untilTimer: .zero) else {
            Issue.record("a due timer fires")
            return
        }
        #expect(work.isEmpty)
        // The timer changed nothing: no commit, back to waiting.
        m.absorb { open in
            #expect(open == nil, "a timer's batch of its own")
            open = Batch()
        }
        #expect(Self.next(&m) == "waitForWork", "an empty batch is not committed")
    }

    @Test func aStopDrainsEverythingThenFinishesAndRefusesMore() throws {
        var m = Self.machine()
        _ = m.submit("a", events: 1)
        m.stop()
        #expect(m.submit("b", events: 1) == .refused)
        #expect(m.submitCommand("cmd") == .refused)
        #expect(m.hasSpace, "waiting sources are let go to hear the refusal")
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        _ = try Self.committed(&m, ids: [1])
        #expect(Self.next(&m) == "finish", "expected finish")
    }

    /// Cancellation is a crash as far as the store goes: the commit in flight is answered with its result, the
    /// rest is refused, no final checkpoint.
    @Test func aCancellationAnswersTheCommitInFlightAndRefusesTheRest() throws {
        var m = Self.machine()
        _ = m.submit("a", events: 1)
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        _ = m.submit("b", events: 1)
        try Self.absorb(&m)
        _ = m.submit("c", events: 1)
        m.cancel()
        #expect(Self.next(&m) == "waitForWake")
        #expect(try Self.committed(&m, ids: [1])?.work == ["a"])
        guard case .abandon(let work, let open) = m.nextStep(uptime: .zero, untilTimer: nil) else {
            Issue.record("expected abandon")
            return
        }
        #expect(work == ["c"])
        #expect(open?.work == ["b"])
    }

    @Test func aCommitThatFailsAfterCancellationIsNotRecovered() throws {
        var m = Self.machine()
        _ = m.submit("a", events: 1)
        try Self.absorb(&m)
        _ = try Self.commit(&m)
        m.cancel()
        struct Gone: Error {}
        m.commitReturned(.failure(Gone()), checkpointCost: nil)
        guard case .commitFailed(_, _, _, let recover) = m.nextStep(uptime: .zero, untilTimer: nil) else {
            Issue.record("expected commitFailed")
            return
        }
        #expect(!recover)
        #expect(Self.next(&m) == "abandon", "expected abandon")
    }
}

extension PipelineStateMachine.Step {
    /// The step's case, for tests that check which step comes and not what it carries.
    var name: String {
        switch self {
        case .absorb: "absorb"
        case .commit: "commit"
        case .committed: "committed"
        case .commitFailed: "commitFailed"
        case .waitForWork: "waitForWork"
        case .waitForWake: "waitForWake"
        case .finish: "finish"
        case .abandon: "abandon"
        }
    }
}
