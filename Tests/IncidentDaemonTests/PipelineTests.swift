import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules
import IncidentServer
import IncidentStore
import Logging
import Synchronization
import TestSupport
import Testing

@testable import IncidentDaemon

let rulesYAML = """
    rules:
      - name: disk
        match: ['alertname="DiskFull"']
        kind: degradation
        impact: medium
        urgency: high
        group_by: [host]
        escalation: default
    escalation_policies:
      - name: default
        steps:
          - { after: 0s, notify: [oncall] }
          - { after: 15m, notify: [lead] }
    """

func ruleSet() -> RuleSet {
    let result = RuleSetLoader().load(text: rulesYAML, file: "test.yaml")
    #expect(result.errors.isEmpty, "\(result.errors)")
    return result.ruleSet!
}

/// A fresh directory, removed when the test process exits (see `ScratchDirectory`).
func tempDir() -> String {
    try! ScratchDirectory.make("incidentd-daemon").path
}

let fixedNow = Timestamp(rfc3339: "2026-03-01T12:00:00Z")!

func alert(_ host: String, _ n: Int = 0, status: EventStatus = .firing) -> Event {
    Event(
        labels: ["alertname": "DiskFull", "host": host], annotations: ["n": "\(n)"], status: status,
        startsAt: fixedNow, source: .socket, receivedAt: fixedNow)
}

/// A pipeline on a real SQLite file, with its loop running in a task.
struct RunningPipeline {
    let pipeline: IngestPipeline
    let store: any IncidentStore
    let loop: Task<Void, Never>

    init(
        store: any IncidentStore, tuning: IngestPipeline.Tuning = .init(), engine: CorrelationEngine? = nil,
        held: DeferredActivity = DeferredActivity(), now: @escaping @Sendable () -> Timestamp = { fixedNow },
        uptime: @escaping @Sendable () -> Duration = IngestPipeline.processUptime,
        outboxFilled: @escaping @Sendable ([OutboxEntry]?) -> Void = { _ in },
        incidentsChanged: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        pipeline = IngestPipeline(
            engine: engine ?? CorrelationEngine(ruleSet: ruleSet()), store: store, tuning: tuning,
            metrics: DaemonMetrics(), logger: quiet, now: now, uptime: uptime, outboxFilled: outboxFilled,
            incidentsChanged: incidentsChanged, held: held)
        let pipeline = pipeline
        loop = Task { await pipeline.run() }
    }

    func stop() async {
        await pipeline.stop()
        await loop.value
    }
}

@Suite struct PipelineTests {
    @Test func concurrentSubmissionsAreCommittedOnceAndShareTransactions() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        let running = RunningPipeline(store: store)
        let clients = 8
        let perClient = 250
        let receipts = try await withThrowingTaskGroup(of: [IngestReceipt].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var tickets: [IngestTicket] = []
                    for i in 0..<perClient {
                        tickets.append(await running.pipeline.submit([alert("h\(c)", i)], positions: [:]))
                    }
                    var out: [IngestReceipt] = []
                    for t in tickets { out.append(try await t.receipt()) }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(receipts.count == clients * perClient)
        #expect(receipts.allSatisfy { $0.accepted == 1 && $0.incidents.count == 1 })
        #expect(try await store.eventCount() == clients * perClient)
        // The counts as a reader sees them (the store's, with what the pipeline holds back laid over them).
        let incidents = await running.pipeline.overlay(try await store.activeIncidents())
        #expect(incidents.count == clients)
        #expect(incidents.allSatisfy { $0.events == perClient })
        // Group commit: far fewer transactions than submissions.
        let metrics = running.pipeline.metrics.registry.emitToString()
        let commits = metrics.split(separator: "\n").first { $0.hasPrefix("incidentd_store_commits_total ") }
        let count = Int(commits?.split(separator: " ").last ?? "") ?? 0
        #expect(count > 0 && count < clients * perClient / 4, "commits: \(count)")
        await running.stop()
        #expect(try await store.activeIncidents().allSatisfy { $0.events == perClient }, "written at the stop")
    }

    @Test func receiptNamesTheIncidentsOfItsOwnEvents() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        let running = RunningPipeline(store: store)
        let a = try await running.pipeline.ingest([alert("a")])
        let b = try await running.pipeline.ingest([alert("b"), alert("a", 1)])
        #expect(a.incidents == ["INC-1"])
        #expect(b.incidents == ["INC-2", "INC-1"])
        #expect(b.accepted == 2)
        await running.stop()
    }

    /// The delivery gets the rows a commit queued as the store holds them (a new incident's first page), and is
    /// not called for a commit that queued none.
    @Test func theRowsACommitQueuedAreHandedToTheDeliveryAsStored() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        let handed = Mutex<[[OutboxEntry]?]>([])
        let running = RunningPipeline(store: store, outboxFilled: { rows in handed.withLock { $0.append(rows) } })
        _ = try await running.pipeline.ingest([alert("a")])
        _ = try await running.pipeline.ingest([alert("a", 1)])
        // The stop runs on the pipeline after both commits' hand-overs.
        await running.stop()
        let calls = handed.withLock { $0 }
        #expect(calls.count == 1)
        let rows = try #require(calls.first ?? nil)
        #expect(rows.map(\.notification.notifier) == ["oncall"])
        #expect(rows == (try await store.dueOutbox(before: .distantFuture)))
    }

    @Test func sourcePositionsCommitWithTheirEvents() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        let running = RunningPipeline(store: store)
        _ = try await running.pipeline.ingest([alert("a")], positions: ["spool:x.json": "done"])
        #expect(try await store.sourcePosition("spool:x.json") == "done")
        await running.stop()
    }

    @Test func commandsAreCheckpointedSoAnAckSurvivesACrash() async throws {
        let path = tempDir() + "/s.sqlite"
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointEvents = .max
        tuning.checkpointInterval = .seconds(3600)
        do {
            let store = try SQLiteStore(path: path)
            let running = RunningPipeline(store: store, tuning: tuning)
            _ = try await running.pipeline.ingest([alert("a")])
            let acked: Incident = try await running.pipeline.execute { engine, time in
                let effects = try engine.perform(.acknowledge, incident: 1, by: "ann", at: time)
                return (engine.snapshot(1)!, effects)
            }
            #expect(acked.state == .acknowledged)
            // The command's checkpoint went with its own commit, and the metrics say so.
            let metrics = running.pipeline.metrics
            let stored = try #require(try await store.engineCheckpoint())
            #expect(metric(metrics, "incidentd_checkpoints_total") == 1)
            #expect(metric(metrics, "incidentd_checkpoint_bytes") == Double(stored.data.count))
            #expect(metric(metrics, "incidentd_checkpoint_timestamp_seconds") == fixedNow.seconds)
            #expect((metric(metrics, "incidentd_checkpoint_encode_seconds") ?? 0) > 0)
            #expect((metric(metrics, "incidentd_checkpoint_commit_seconds") ?? 0) > 0)
            // A crash: the loop is abandoned without stop(), so no shutdown checkpoint is written.
            running.loop.cancel()
        }
        let store = try SQLiteStore(path: path)
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.engine.snapshot(1)?.state == .acknowledged)
        #expect(restored.engine.snapshot(1)?.acknowledgedBy == "ann")
    }

    /// A stop asked for while the engine is rebuilt (SIGTERM as the daemon starts) ends the replay after the page
    /// under way, without writing anything: a rebuild without a stop then replays every event.
    @Test func aStopEndsTheRebuildAfterThePageUnderWay() async throws {
        // No checkpoint however slowly the test runs: the rebuild replays all 25 events.
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointInterval = .seconds(86_400)
        let store = try await Self.storeCrashedAfter25Events(tuning)
        let checkpoint = try await store.engineCheckpoint()?.throughEvent
        try #require(checkpoint == nil)
        var recovery = EngineRecovery(store: store, logger: quiet)
        recovery.replayPage = 5
        let asked = RestoreAsks()
        // Asked after each page: the second answer is yes.
        recovery.stopRequested = { asked.count.add(1, ordering: .sequentiallyConsistent).newValue >= 2 }
        do {
            _ = try await recovery.restore(ruleSet: ruleSet())
            Issue.record("the rebuild ran to its end")
        } catch let stopped as EngineRecovery.Stopped {
            #expect(stopped.replayed == 10)
        }
        #expect(asked.count.load(ordering: .sequentiallyConsistent) == 2)
        #expect(try await store.engineCheckpoint()?.throughEvent == checkpoint)
        #expect(try await store.eventCount() == 25)
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == 25)
        #expect(restored.engine.stats.eventsIn == 25)
    }

    /// A store that took 25 events (three alerts) before the process died: no shutdown checkpoint.
    static func storeCrashedAfter25Events(_ tuning: IngestPipeline.Tuning) async throws -> SQLiteStore {
        let path = tempDir() + "/s.sqlite"
        do {
            let store = WrappedStore(inner: try SQLiteStore(path: path))
            let running = RunningPipeline(store: store, tuning: tuning)
            for i in 0..<25 { _ = try await running.pipeline.ingest([alert("h\(i % 3)", i)]) }
            // A checkpoint taken after `checkpointEvents` is encoded off the pipeline and stored with a later commit
            // (or alone once idle), which can come after the last ingest is answered.
            if tuning.checkpointEvents <= 25 {
                try await waitUntil("a checkpoint is stored") { try await store.engineCheckpoint() != nil }
            }
            await store.crash()
            running.loop.cancel()
        }
        return try SQLiteStore(path: path)
    }

    @Test func eventsAfterTheCheckpointAreReplayedOnRestart() async throws {
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointEvents = 10
        let store = try await Self.storeCrashedAfter25Events(tuning)
        let checkpoint = try await store.engineCheckpoint()
        #expect(checkpoint != nil)
        #expect((checkpoint?.throughEvent ?? 0) < 25)
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == 25 - Int(checkpoint?.throughEvent ?? 0))
        #expect(restored.engine.stats.eventsIn == 25)
        // The restored engine continues: the next event of h0 joins INC-1 rather than opening a fourth incident.
        let running = RunningPipeline(store: store, engine: restored.engine, held: restored.held)
        let receipt = try await running.pipeline.ingest([alert("h0", 99)])
        #expect(receipt.incidents == ["INC-1"])
        #expect(try await store.activeIncidents().count == 3)
        await running.stop()
        // The timeline holds no line twice after the replay.
        let timeline = try await store.timeline(of: 1)
        #expect(Set(timeline).count == timeline.count)
    }

    /// A command while a timed checkpoint is being written in parts, with a real store and the commits stepped one
    /// at a time: the command's checkpoint is written whole, no later commit carries another part of the one it
    /// superseded, and a restart restores the command's. (The driver's clock stands still after the first
    /// checkpoint is taken, so no other is.)
    @Test func aCommandWhileACheckpointIsWrittenInPartsSupersedesIt() async throws {
        let path = tempDir() + "/s.sqlite"
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointEvents = .max
        tuning.checkpointPartBytes = 64
        let clock = Atomic<Int64>(0)
        let gate = Gate()
        let store = WrappedStore(inner: try SQLiteStore(path: path), commitGate: gate)
        let running = RunningPipeline(
            store: store, tuning: tuning, uptime: { .seconds(clock.load(ordering: .sequentiallyConsistent)) })
        clock.store(100, ordering: .sequentiallyConsistent)
        let first = Task { try await running.pipeline.ingest([alert("a")]) }
        // Step the commits until one carrying part 0 returned; the next part's waits at the gate.
        var passed = 0
        func parts() -> [EngineStatePart] { store.batches.withLock { $0.compactMap(\.engineStatePart) } }
        while parts().isEmpty {
            try await waitUntil("commit \(passed + 1) reaches the store") { gate.arrivals > passed }
            gate.allow()
            passed += 1
            try await waitUntil("commit \(passed) returns") { store.batches.withLock { $0.count } == passed }
        }
        _ = try await first.value
        let begun = try #require(parts().first)
        #expect(begun.index == 0 && begun.count > 2, "\(begun)")
        try await waitUntil("the commit of part 1 reaches the store") { gate.arrivals > passed }
        let absorbed = Atomic<Bool>(false)
        let command = Task {
            try await running.pipeline.execute { engine, time in
                absorbed.store(true, ordering: .sequentiallyConsistent)
                let effects = try engine.perform(.acknowledge, incident: 1, by: "ann", at: time)
                return (engine.snapshot(1)!, effects)
            }
        }
        // The command runs through the engine while part 1 commits, and is committed behind it.
        try await waitUntil("the command is absorbed") { absorbed.load(ordering: .sequentiallyConsistent) }
        gate.open()
        let acked: Incident = try await command.value
        #expect(acked.state == .acknowledged)
        // A later commit would carry the next part, had the command not dropped them.
        _ = try await running.pipeline.ingest([alert("b")])
        await store.crash()
        running.loop.cancel()
        await running.loop.value
        #expect(parts().map(\.index) == [0, 1])
        let restored = try await EngineRecovery(store: store.inner, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.engine.snapshot(1)?.acknowledgedBy == "ann")
        #expect(restored.engine.stats.eventsIn == 2)
    }

    /// A timed checkpoint is encoded while later batches commit and is written by one of them: its
    /// `through_event` must be the last event of the batch it was taken at, not of the batch carrying it, or a
    /// restart would skip the events in between. With parts of 64 bytes, each is written across several commits.
    @Test(arguments: [1 << 20, 64]) func aDeferredCheckpointCoversExactlyTheEventsItWasTakenAfter(partBytes: Int)
        async throws
    {
        let path = tempDir() + "/s.sqlite"
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointEvents = 7
        tuning.checkpointPartBytes = partBytes
        let clients = 6
        let perClient = 150
        var seen: [(through: Int64, eventsIn: Int)] = []
        var wholeSeen = 0
        do {
            let store = WrappedStore(inner: try SQLiteStore(path: path))
            let running = RunningPipeline(store: store, tuning: tuning)
            // Several submitters keep batches committing back to back, so that a checkpoint encoded meanwhile
            // is carried by a batch holding later events (an idle pipeline writes it in an empty batch).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<clients {
                    group.addTask {
                        for i in 0..<perClient { _ = try await running.pipeline.ingest([alert("h\(c)", i)]) }
                    }
                }
                try await group.waitForAll()
            }
            // Each event is its own row and is taken by the engine in commit order: the state after event n has
            // taken exactly n events. Every checkpoint the store was given (the wrapper records each batch whose
            // commit returned) is read and checked.
            await store.crash()
            running.loop.cancel()
            await running.loop.value
            var last = 0
            var parts: [EngineStatePart] = []
            for batch in store.batches.withLock({ $0 }) {
                if let part = batch.engineStatePart {
                    // In order, one checkpoint at a time, each part carried once.
                    #expect(part.index == parts.count, "part \(part.index) after \(parts.count)")
                    parts.append(part)
                    guard part.isLast else { continue }
                    #expect(parts.count == part.count && parts.allSatisfy { $0.throughEvent == part.throughEvent })
                    let data = parts.reduce(into: Data()) { $0.append($1.data) }
                    seen.append((part.throughEvent, try EngineState.decode(data).stats.eventsIn))
                    last = data.count
                    parts = []
                    continue
                }
                guard let data = batch.engineState, let through = batch.engineStateThroughEvent else { continue }
                #expect(partBytes > data.count, "a checkpoint of \(data.count) bytes was written whole")
                wholeSeen += 1
                seen.append((through, try EngineState.decode(data).stats.eventsIn))
                last = data.count
            }
            // Each checkpoint the store took, and only those, is counted; the size is the last one's.
            let metrics = running.pipeline.metrics
            #expect(metric(metrics, "incidentd_checkpoints_total") == Double(seen.count))
            #expect(metric(metrics, "incidentd_checkpoint_bytes") == Double(last))
            // The encodings were deferred ones: their cost reached the gauge through the state machine.
            #expect((metric(metrics, "incidentd_checkpoint_encode_seconds") ?? 0) > 0)
        }
        #expect(seen.count >= 3, "checkpoints seen: \(seen.map(\.through))")
        #expect(partBytes < 1 << 20 ? wholeSeen == 0 : wholeSeen == seen.count)
        for (through, eventsIn) in seen { #expect(eventsIn == Int(through), "through \(through)") }
        let store = try SQLiteStore(path: path)
        let through = try #require(try await store.engineCheckpoint()).throughEvent
        #expect(through > 0)
        // What a restart reads is the last checkpoint the store took, from its parts when written in parts.
        #expect(through == seen.last?.through)
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == clients * perClient - Int(through))
        #expect(restored.engine.stats.eventsIn == clients * perClient)
    }

    @Test func aCleanStopLeavesNothingToReplay() async throws {
        let path = tempDir() + "/s.sqlite"
        let store = try SQLiteStore(path: path)
        let running = RunningPipeline(store: store)
        for i in 0..<5 { _ = try await running.pipeline.ingest([alert("h", i)]) }
        await running.stop()
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == 0)
        #expect(restored.engine.snapshot(1)?.events == 5)
    }

    /// The idle wait's timer outlives the wait (`waitForWork`), so a timer the engine needs sooner than the one set
    /// must replace it. Idle with no engine timer, the loop waits an idle tick (an hour here); an alert whose
    /// `endsAt` is a moment away then needs the loop back in a fraction of a second, and its resolve is written
    /// without any other work or wake-up. Kept, the hour's timer would hold the resolve for the hour.
    @Test func aTimerDueSoonerThanTheIdleWaitIsNotHeldByIt() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        var tuning = IngestPipeline.Tuning()
        tuning.idleTick = .seconds(3600)
        let start = ContinuousClock.now
        let running = RunningPipeline(
            store: store, tuning: tuning,
            engine: CorrelationEngine(ruleSet: ruleSet(), clamp: .milliseconds(100)),
            now: { fixedNow + (ContinuousClock.now - start) })
        let pipeline = running.pipeline
        try await waitUntil("the loop waits an idle tick") {
            await pipeline.idleTimerDue.map { $0 > IngestPipeline.processUptime() + .seconds(3000) } ?? false
        }
        let now = fixedNow + (ContinuousClock.now - start)
        let ending = Event(
            labels: ["alertname": "DiskFull", "host": "a"], startsAt: now, endsAt: now + .milliseconds(300),
            source: .socket, receivedAt: now)
        let receipt = try await pipeline.ingest([ending])
        #expect(receipt.incidents == ["INC-1"])
        try await waitUntil("the alert resolves at its endsAt") {
            try await store.alerts(of: 1).first?.status == .resolved
        }
        await running.stop()
    }

    /// Cancelling the loop's task stops it (the daemon's services are cancelled when one fails): the commit in
    /// flight is answered with its result, what waited behind it is refused, and no checkpoint is written.
    @Test func cancellingTheLoopAnswersTheCommitInFlightAndRefusesTheRest() async throws {
        let gate = Gate()
        let store = WrappedStore(inner: try SQLiteStore(path: tempDir() + "/s.sqlite"), commitGate: gate)
        let running = RunningPipeline(store: store)
        let first = await running.pipeline.submit([alert("a")], positions: [:])
        try await waitUntil("the first commit reaches the store") { gate.arrivals == 1 }
        let second = await running.pipeline.submit([alert("b")], positions: [:])
        running.loop.cancel()
        gate.open()
        await running.loop.value
        #expect(try await first.receipt().incidents == ["INC-1"])
        await #expect(throws: IngestError(.shuttingDown, "incidentd is stopping; send again after restart")) {
            try await second.receipt()
        }
        #expect(try await store.eventCount() == 1)
        #expect(try await store.engineCheckpoint() == nil, "a cancelled loop wrote a checkpoint")
        let late = await running.pipeline.submit([alert("c")], positions: [:])
        await #expect(throws: IngestError.self) { try await late.receipt() }
    }

    /// A commit starts while the engine is still taking the next batch, not after: the loop goes on to absorb
    /// that batch on the pipeline's actor at once, and a commit that needed the actor to start waited for the whole
    /// of it (the two took turns whenever work was queued; BENCHMARKS.md, issue 16). An operator command that
    /// blocks the actor stands in for a long batch: the commit started before it must reach the store while it
    /// blocks.
    @Test func aCommitStartsWhileTheEngineTakesTheNextBatch() async throws {
        var tuning = IngestPipeline.Tuning()
        tuning.maxBatchEvents = 1
        let (gate, store, running) = try Self.gatedPipeline(tuning: tuning)
        let first = await running.pipeline.submit([alert("a")], positions: [:])
        try await waitUntil("the first commit reaches the store") { gate.arrivals == 1 }
        // The next batch (one event, full) waits behind it; a third submission and the command wait for the batch
        // after that.
        let second = await running.pipeline.submit([alert("b")], positions: [:])
        let third = await running.pipeline.submit([alert("c")], positions: [:])
        let blocking = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
        let command = Task {
            try await running.pipeline.execute { (_: inout CorrelationEngine, _: Timestamp) -> (Bool, [Effect]) in
                blocking.store(true, ordering: .sequentiallyConsistent)
                release.wait()
                return (true, [])
            }
        }
        // Whatever happens below, the actor is let go (a failing run must not keep a cooperative thread).
        defer { release.signal() }
        gate.allow(1)
        // The first commit returned, the second batch's commit started, and the loop went on to take the third
        // submission and the command, which now holds the actor.
        try await waitUntil("the command holds the pipeline's actor") {
            blocking.load(ordering: .sequentiallyConsistent)
        }
        try await waitUntil(
            "the second batch's commit reaches the store while the actor is held",
            detail: "arrivals at the store: \(gate.arrivals)"
        ) { gate.arrivals == 2 }
        release.signal()
        gate.open()
        #expect(try await command.value)
        #expect(try await first.receipt().accepted == 1)
        #expect(try await second.receipt().accepted == 1)
        #expect(try await third.receipt().accepted == 1)
        #expect(try await store.eventCount() == 3)
        await running.stop()
    }

    /// The pipeline writes the events' text columns for a store that binds them (SQLite), and only for one: for
    /// a store that writes its own they would be written twice.
    @Test(arguments: [true, false]) func eventColumnsAreWrittenOnlyForAStoreThatTakesThem(_ takes: Bool) async throws {
        let store = WrappedStore(inner: try SQLiteStore(path: tempDir() + "/s.sqlite"), takesColumns: takes)
        let running = RunningPipeline(store: store)
        _ = try await running.pipeline.ingest([alert("a"), alert("b", 1)])
        await running.stop()
        let withEvents = store.batches.withLock { $0.filter { !$0.events.isEmpty } }
        #expect(withEvents.count == 1)
        #expect(withEvents.first?.eventColumns?.count == (takes ? 2 : nil))
        #expect(try await store.eventCount() == 2)
    }

    /// A submission of more than `inlineAbsorbEvents` events (here 1) has its columns written by its submitter; a
    /// batch of several submissions, some with columns of their own and some without, in one call or in one call
    /// each (as a socket read and the journal hand them over), holds what the store would write from its events.
    @Test func columnsWrittenBySubmittersJoinIntoTheBatchsColumns() async throws {
        var tuning = IngestPipeline.Tuning()
        tuning.inlineAbsorbEvents = 1
        let (gate, store, running) = try Self.gatedPipeline(tuning: tuning)
        let first = await running.pipeline.submit([alert("first"), alert("second", 1)], positions: [:])
        try await waitUntil("the first batch's commit waits at the gate", detail: "arrivals: \(gate.arrivals)") {
            gate.arrivals == 1
        }
        // Held behind that commit, these three submissions are taken into one batch.
        let lines = await running.pipeline.submit(each: [[alert("a", 2)], [alert("b", 3), alert("c", 4)]])
        let last = await running.pipeline.submit([alert("d", 5), alert("e", 6)], positions: [:])
        gate.open()
        for ticket in [first, last] + lines { _ = try await ticket.receipt() }
        await running.stop()
        let withEvents = store.batches.withLock { $0.filter { !$0.events.isEmpty } }
        #expect(withEvents.map(\.events.count) == [2, 5])
        for batch in withEvents {
            #expect(batch.eventColumns == EventColumns(batch.events))
        }
        #expect(try await store.eventCount() == 7)
    }

    @Test func submissionsAfterStopAreRefused() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        let running = RunningPipeline(store: store)
        await running.stop()
        await #expect(throws: IngestError.self) { try await running.pipeline.ingest([alert("a")]) }
    }

    /// A pipeline whose store's commits wait at `gate` until the test opens it, with `tuning`, or else a queue of
    /// 10 events and batches of at most 10.
    static func gatedPipeline(tuning: IngestPipeline.Tuning? = nil) throws -> (Gate, WrappedStore, RunningPipeline) {
        let gate = Gate()
        let slow = WrappedStore(inner: try SQLiteStore(path: tempDir() + "/s.sqlite"), commitGate: gate)
        var tenAtATime = IngestPipeline.Tuning()
        tenAtATime.queueCapacity = 10
        tenAtATime.maxBatchEvents = 10
        return (gate, slow, RunningPipeline(store: slow, tuning: tuning ?? tenAtATime))
    }

    /// Back-pressure without a clock: the store's commits wait at a gate, so nothing drains until the test
    /// opens it. Every submission that returns checks how far the producer is ahead of what the store
    /// committed; the test waits until the pipeline made a source wait (the counter it bumps at that decision)
    /// before it lets the store go.
    @Test func aFullQueueMakesSourcesWait() async throws {
        let (gate, slow, running) = try Self.gatedPipeline()
        // At most one batch committing, one prepared behind it and a full queue: 10 + 10 + 10.
        let bound = 10 + 2 * 10
        let submitted = Atomic<Int>(0)
        let furthestAhead = Atomic<Int>(0)
        let producer = Task {
            var tickets: [IngestTicket] = []
            for i in 0..<100 {
                tickets.append(await running.pipeline.submit([alert("a", i)], positions: [:]))
                let ahead =
                    submitted.add(1, ordering: .sequentiallyConsistent).newValue
                    - slow.committedEvents.load(ordering: .sequentiallyConsistent)
                furthestAhead.max(ahead, ordering: .sequentiallyConsistent)
            }
            for t in tickets { _ = try await t.receipt() }
        }
        try await waitUntil("a submission waits for space", detail: "submitted \(submitted.load(ordering: .relaxed))") {
            backpressureWaits(running.pipeline.metrics) > 0
        }
        // The store has committed nothing yet, so the producer is stuck below the bound for as long as the gate
        // is shut, whatever the machine's speed.
        #expect(slow.committedEvents.load(ordering: .sequentiallyConsistent) == 0)
        #expect(submitted.load(ordering: .sequentiallyConsistent) <= bound)
        gate.open()
        try await producer.value
        #expect(furthestAhead.load(ordering: .sequentiallyConsistent) <= bound)
        #expect(try await slow.eventCount() == 100)
        await running.stop()
    }

    /// Submissions handed over together (a socket read's lines) keep their order and their own receipts, and the
    /// call waits for room part-way, as one submission at a time would.
    @Test func submissionsHandedOverTogetherKeepTheirOrderAndWaitForRoom() async throws {
        let (gate, slow, running) = try Self.gatedPipeline()
        let producer = Task { await running.pipeline.submit(each: (0..<50).map { [alert("h\($0)")] }) }
        try await waitUntil("the call waits for space", detail: "") {
            backpressureWaits(running.pipeline.metrics) > 0
        }
        #expect(slow.committedEvents.load(ordering: .sequentiallyConsistent) == 0)
        gate.open()
        let tickets = await producer.value
        var receipts: [IngestReceipt] = []
        for ticket in tickets { receipts.append(try await ticket.receipt()) }
        #expect(receipts.map(\.accepted) == Array(repeating: 1, count: 50))
        #expect(receipts.map(\.incidents) == (1...50).map { ["INC-\($0)"] })
        #expect(try await slow.eventCount() == 50)
        await running.stop()
    }

    @Test func aFailedCommitFailsItsTicketsAndTheNextBatchStartsFromTheStore() async throws {
        let failing = FailingStore(inner: try SQLiteStore(path: tempDir() + "/s.sqlite"))
        let running = RunningPipeline(store: failing)
        _ = try await running.pipeline.ingest([alert("a")])
        failing.failNext.store(true, ordering: .relaxed)
        await #expect(throws: IngestError.self) { try await running.pipeline.ingest([alert("b")]) }
        // The engine forgot "b" with the failed batch: it opens INC-2 now, not INC-3.
        let receipt = try await running.pipeline.ingest([alert("b", 1)])
        #expect(receipt.incidents == ["INC-2"])
        #expect(try await failing.eventCount() == 2)
        await running.stop()
    }

    /// When the rebuild from the store fails too, the engine must not go on with the failed batch's effects
    /// (it used to: the next incident got the number the lost one had taken).
    @Test func aFailedRebuildIsRetriedAndNothingOfTheFailedBatchSurvives() async throws {
        let failing = FailingStore(inner: try SQLiteStore(path: tempDir() + "/s.sqlite"))
        let running = RunningPipeline(store: failing)
        _ = try await running.pipeline.ingest([alert("a")])
        failing.failReads.store(3, ordering: .relaxed)
        failing.failNext.store(true, ordering: .relaxed)
        await #expect(throws: IngestError.self) { try await running.pipeline.ingest([alert("b")]) }
        let receipt = try await running.pipeline.ingest([alert("c")])
        #expect(receipt.incidents == ["INC-2"], "INC-2 was the failed batch's, in an engine nobody rebuilt")
        #expect(failing.failReads.load(ordering: .relaxed) <= 0, "the rebuild was attempted until it worked")
        #expect(try await failing.eventCount() == 2)
        await running.stop()
    }
}

/// `incidentd_ingest_backpressure_waits_total` as the registry shows it.
func backpressureWaits(_ metrics: DaemonMetrics) -> Int {
    Int(metric(metrics, "incidentd_ingest_backpressure_waits_total") ?? 0)
}

/// The value of the unlabelled series `name` as the registry shows it; nil when it has none.
func metric(_ metrics: DaemonMetrics, _ name: String) -> Double? {
    let line = metrics.registry.emitToString().split(separator: "\n").first { $0.hasPrefix(name + " ") }
    return line.flatMap { Double($0.split(separator: " ").last ?? "") }
}

let quiet: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

@Suite struct MetricsTests {
    @Test func labelledCountersAreOneSeriesPerLabelSet() {
        let metrics = DaemonMetrics()
        metrics.received(source: "socket").increment(by: 2)
        metrics.received(source: "socket").increment(by: 3)
        metrics.received(source: "spool").increment()
        metrics.rejected(source: "socket", code: "bad-json").increment()
        let text = metrics.registry.emitToString()
        #expect(text.contains("incidentd_events_received_total{source=\"socket\"} 5"))
        #expect(text.contains("incidentd_events_received_total{source=\"spool\"} 1"))
        #expect(text.contains("incidentd_ingest_errors_total{source=\"socket\",code=\"bad-json\"} 1"))
    }
}

/// How many times a rebuild asked whether to stop.
final class RestoreAsks: Sendable {
    let count = Atomic<Int>(0)
}
