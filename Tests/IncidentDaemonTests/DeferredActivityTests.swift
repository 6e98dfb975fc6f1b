import Foundation
import IncidentCore
import IncidentEngine
import IncidentStore
import Synchronization
import TestSupport
import Testing

@testable import IncidentDaemon

/// Activity held back between writes: what is held, when it is written, that readers see it at once, and that a
/// restart holds again, and writes, what a crash kept from the store.
@Suite struct DeferredActivityTests {
    func seen(_ name: String, events: Int, incident: Int = 1) -> AlertSnapshot {
        let labels: Labels = ["alertname": name]
        return AlertSnapshot(
            fingerprint: labels.fingerprint, incident: incident, labels: labels, annotations: [:], status: .firing,
            firstSeen: fixedNow, lastSeen: fixedNow + .seconds(Int64(events)), events: events, suppressed: false)
    }

    func counted(_ number: Int, events: Int) -> Incident {
        Incident(
            number: number, title: "t", kind: .outage, state: .open, impact: .low, urgency: .low, priority: .p5,
            rule: "r", groupKey: "g", labels: [:], alerts: 1, events: events, flapping: false, escalation: nil,
            openedAt: fixedNow)
    }

    /// The same firing alert, annotations unchanged: every one after the first is activity only.
    func repeated() -> Event {
        Event(
            labels: ["alertname": "DiskFull", "host": "a"], annotations: ["summary": "full"], status: .firing,
            startsAt: fixedNow, source: .socket, receivedAt: fixedNow)
    }

    /// No timed checkpoint or write of held activity while a test runs, unless it asks; one event a
    /// batch.
    func quietTuning() -> IngestPipeline.Tuning {
        var tuning = IngestPipeline.Tuning()
        tuning.maxBatchEvents = 1
        tuning.checkpointInterval = .seconds(3600)
        tuning.checkpointEvents = .max
        tuning.activityFlushInterval = .seconds(3600)
        return tuning
    }

    /// A pipeline whose commits wait at `gate`, one event a batch, no timed checkpoint or write of held activity.
    func gatedPipeline(
        _ gate: Gate, activityGate: Gate? = nil, idleTick: Duration = .seconds(1),
        change: (inout IngestPipeline.Tuning) -> Void = { _ in },
        uptime: @escaping @Sendable () -> Duration = IngestPipeline.processUptime,
        incidentsChanged: @escaping @Sendable () -> Void = {}
    ) throws -> (WrappedStore, RunningPipeline) {
        let store = WrappedStore(
            inner: try SQLiteStore(path: tempDir() + "/s.sqlite"), commitGate: gate, activityGate: activityGate)
        var tuning = quietTuning()
        tuning.idleTick = idleTick
        change(&tuning)
        return (
            store,
            RunningPipeline(store: store, tuning: tuning, uptime: uptime, incidentsChanged: incidentsChanged)
        )
    }

    /// Submits an event and waits until its commit is at `gate`, then a repeat and waits until it is in the batch
    /// behind that commit; returns both tickets.
    func firstCommittingAndARepeatBehind(_ gate: Gate, _ running: RunningPipeline) async throws
        -> (IngestTicket, IngestTicket)
    {
        let first = await running.pipeline.submit([repeated()], positions: [:])
        try await waitUntil("the first commit reaches the store") { gate.arrivals == 1 }
        let second = await running.pipeline.submit([repeated()], positions: [:])
        try await waitUntil("the repeat is in the batch behind the commit") { await running.pipeline.queuedWork == 0 }
        return (first, second)
    }

    /// Submits an event and waits until its commit is at `gate`, then three repeats (a batch each), opens the gate
    /// and waits for all four to be committed.
    func firstCommittingThenThreeRepeatsBehind(_ gate: Gate, _ running: RunningPipeline) async throws {
        let first = await running.pipeline.submit([repeated()], positions: [:])
        try await waitUntil("the first commit reaches the store") { gate.arrivals == 1 }
        var tickets: [IngestTicket] = []
        for _ in 0..<3 { tickets.append(await running.pipeline.submit([repeated()], positions: [:])) }
        gate.open()
        _ = try await first.receipt()
        for ticket in tickets { _ = try await ticket.receipt() }
    }

    /// The held counts of the alert and the incident each commit carried, in commit order. A batch is recorded
    /// after the store's commit returns, so a test that saw the store's rows change waits on this, not on them.
    func carried(_ store: WrappedStore) -> [[Int]] {
        store.batches.withLock { batches in
            batches.map { $0.alertActivity.map(\.events) + $0.incidentActivity.map(\.events) }
        }
    }

    /// Under a steady load the pipeline never goes idle, so held activity goes with the first commit that starts
    /// `activityFlushInterval` after the last write of it. The clock is the test's; commits are let through one
    /// at a time, so the time each one starts at is known.
    @Test func heldActivityGoesWithTheFirstCommitAnIntervalAfterTheLastWrite() async throws {
        let gate = Gate()
        let clock = Atomic<Int64>(0)
        let (store, running) = try gatedPipeline(gate, change: { $0.activityFlushInterval = .seconds(1) }) {
            .nanoseconds(clock.load(ordering: .sequentiallyConsistent))
        }
        // The first repeat's commit starts at 0 s: its activity is held.
        let (first, second) = try await firstCommittingAndARepeatBehind(gate, running)
        gate.allow()
        try await waitUntil("the repeat's commit reaches the store") { gate.arrivals == 2 }
        // The second starts at 1.5 s: it carries what is held, brought up to date by its own.
        clock.store(1_500_000_000, ordering: .sequentiallyConsistent)
        let third = await running.pipeline.submit([repeated()], positions: [:])
        try await waitUntil("the repeat waits behind the commit") { await running.pipeline.queuedWork == 0 }
        gate.allow()
        try await waitUntil("its commit reaches the store") { gate.arrivals == 3 }
        gate.open()
        for ticket in [first, second, third] { _ = try await ticket.receipt() }
        #expect(carried(store) == [[], [], [3, 3]])
        #expect(try await store.alerts(of: 1).first?.events == 3)
        await running.stop()
    }

    /// Live pages hear of a change to an incident at the commit that makes it, even when its counts are held: they
    /// re-read through the API, which shows the held counts.
    @Test func aCommitWhoseCountsAreHeldStillTellsLivePages() async throws {
        let gate = Gate()
        gate.open()
        let changes = Atomic<Int>(0)
        let (store, running) = try gatedPipeline(
            gate, idleTick: .seconds(3600), incidentsChanged: { changes.add(1, ordering: .sequentiallyConsistent) })
        _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        try await waitUntil("the new incident is announced") { changes.load(ordering: .sequentiallyConsistent) == 1 }
        _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        try await waitUntil("the repeat is announced though its counts are held") {
            changes.load(ordering: .sequentiallyConsistent) == 2
        }
        #expect(carried(store) == [[], []])
        await running.stop()
    }

    /// However busy the pipeline, no more than `maxDeferredActivity` snapshots are held: the commit that finds
    /// that many carries them.
    @Test func heldActivityGoesWithTheFirstCommitThatFindsTheMostHeld() async throws {
        let gate = Gate()
        // One repeat holds two snapshots: its alert's and its incident's.
        let (store, running) = try gatedPipeline(gate, change: { $0.maxDeferredActivity = 2 })
        try await firstCommittingThenThreeRepeatsBehind(gate, running)
        try await waitUntil("the pipeline waits") { await running.pipeline.isWaiting }
        #expect(carried(store) == [[], [], [3, 3], []])
        // The third repeat's activity is held again, then written with the final checkpoint.
        await running.stop()
        #expect(carried(store) == [[], [], [3, 3], [], [4, 4]])
        #expect(try await store.alerts(of: 1).first?.events == 4)
    }

    /// A failed write of held activity when the pipeline went idle: the counts stay held (readers still see them),
    /// the pipeline goes on answering, the next commit carries them, and an idle write is not tried again before a
    /// second has passed on the pipeline's clock (not at every idle moment, which on a failing disk would spin).
    @Test func aFailedIdleWriteKeepsTheCountsAndIsNotRetriedForASecond() async throws {
        let gate = Gate()
        gate.open()
        let activityGate = Gate()
        let clock = Atomic<Int64>(0)
        let (store, running) = try gatedPipeline(
            gate, activityGate: activityGate, idleTick: .seconds(3600),
            change: { $0.activityFlushInterval = .seconds(1) },
            uptime: { .nanoseconds(clock.load(ordering: .sequentiallyConsistent)) })
        func move(toMilliseconds ms: Int64) async {
            clock.store(ms * 1_000_000, ordering: .sequentiallyConsistent)
            await running.pipeline.clockMoved()
        }
        _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        // Due at 1 s: the idle write reaches the store and fails there.
        await move(toMilliseconds: 1000)
        try await waitUntil("the idle write reaches the store") { activityGate.arrivals == 1 }
        store.failActivity.store(true, ordering: .sequentiallyConsistent)
        activityGate.allow()
        try await waitUntil("it failed") { !store.failActivity.load(ordering: .sequentiallyConsistent) }
        let stored = try #require(try await store.alerts(of: 1).first)
        #expect(stored.events == 1)
        #expect(await running.pipeline.overlay([stored]).first?.events == 2)

        // Still at 1 s: the pipeline waits instead of trying again (a retry would wait at the gate).
        try await waitUntil("the pipeline waits or tries again") {
            let waiting = await running.pipeline.isWaiting
            return waiting || activityGate.arrivals > 1
        }
        #expect(activityGate.arrivals == 1, "retried at once")
        let third = await running.pipeline.submit([repeated()], positions: [:])
        let answered = Flag()
        let waiter = Task {
            _ = try await third.receipt()
            answered.value.store(true, ordering: .sequentiallyConsistent)
        }
        try await waitUntil("the event is answered, not held behind a retry") {
            answered.value.load(ordering: .sequentiallyConsistent)
        }
        try await waiter.value
        #expect(carried(store) == [[], [], [3, 3]], "the next commit carries the held counts")

        // Held again; due at 2 s by both the last write and the retry's pause.
        _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        await move(toMilliseconds: 2000)
        try await waitUntil("the next idle write reaches the store") { activityGate.arrivals == 2 }
        activityGate.open()
        try await waitUntil("the idle write returns") { carried(store).count == 5 }
        #expect(carried(store) == [[], [], [3, 3], [], [4, 4]])
        #expect(try await store.alerts(of: 1).first?.events == 4)
        await running.stop()
    }

    /// A commit fails while activity is held: the held counts are dropped with the engine, and the engine's
    /// rebuild from the store writes what the committed events say, before any later event.
    @Test func afterAFailedCommitTheRebuildWritesTheCountsOfWhatWasCommitted() async throws {
        let gate = Gate()
        let (store, running) = try gatedPipeline(gate)
        let (first, second) = try await firstCommittingAndARepeatBehind(gate, running)
        gate.allow()
        try await waitUntil("the repeat's commit reaches the store") { gate.arrivals == 2 }
        let third = await running.pipeline.submit([repeated()], positions: [:])
        try await waitUntil("the next repeat waits behind the commit") { await running.pipeline.queuedWork == 0 }
        gate.allow()
        _ = try await first.receipt()
        _ = try await second.receipt()
        try await waitUntil("the next repeat's commit reaches the store") { gate.arrivals == 3 }
        store.failNext.store(true, ordering: .sequentiallyConsistent)
        gate.open()
        await #expect(throws: IngestError.self) { try await third.receipt() }

        try await waitUntil("the rebuild's commit returns") { carried(store).count == 3 }
        // The second's activity was held, not written with it; the rebuild's commit wrote it.
        #expect(carried(store) == [[], [], [2, 2]])
        #expect(try await store.alerts(of: 1).first?.events == 2)
        #expect(try await store.incident(1)?.events == 2)
        let fourth = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        #expect(fourth.incidents == ["INC-1"])
        await running.stop()
        #expect(try await store.alerts(of: 1).first?.events == 3)
        #expect(try await store.incident(1)?.events == 3)
    }

    @Test func heldActivityIsReplacedByLaterActivityAndDroppedForFullWrites() {
        var deferred = DeferredActivity()
        var first = StoreBatch(at: fixedNow)
        first.alertActivity = [seen("a", events: 2), seen("b", events: 2)]
        first.incidentActivity = [counted(1, events: 4)]
        deferred.route(&first, flush: .none)
        #expect(first.alertActivity.isEmpty && first.incidentActivity.isEmpty)
        #expect(deferred.count == 3)
        #expect(deferred.overlay(seen("a", events: 1)) == seen("a", events: 2))
        #expect(deferred.overlay(counted(1, events: 1)).events == 4)
        // New annotations are held as activity too: a reader sees them with the counts.
        var annotated = seen("b", events: 5)
        annotated.annotations = ["summary": "97% used"]
        var later = StoreBatch(at: fixedNow)
        later.alertActivity = [annotated]
        deferred.route(&later, flush: .none)
        #expect(deferred.overlay(seen("b", events: 1)) == annotated)

        // Alert a is written in full by a later batch, b leaves its incident, the incident is seen again.
        var second = StoreBatch(alerts: [seen("a", events: 3)], at: fixedNow)
        second.leftAlerts = [(1, seen("b", events: 0).fingerprint)]
        second.incidentActivity = [counted(1, events: 6)]
        deferred.route(&second, flush: .none)
        #expect(deferred.alerts.isEmpty)
        #expect(deferred.incidents.values.map(\.events) == [6])
        #expect(deferred.overlay(seen("a", events: 3)) == seen("a", events: 3))

        var third = StoreBatch(at: fixedNow)
        third.alertActivity = [seen("c", events: 9)]
        deferred.route(&third, flush: .all)
        #expect(third.alertActivity == [seen("c", events: 9)])
        #expect(third.incidentActivity == [counted(1, events: 6)])
        #expect(deferred.isEmpty)

        // A flush with nothing held leaves the batch's own activity where it is.
        var fourth = StoreBatch(at: fixedNow)
        fourth.alertActivity = [seen("d", events: 1)]
        deferred.route(&fourth, flush: .all)
        #expect(fourth.alertActivity == [seen("d", events: 1)] && deferred.isEmpty)
    }

    /// A write that is due goes in slices, in the store's key order (incidents by number, then alerts by incident
    /// and fingerprint), over what was held when it began: a key written in full meanwhile is skipped, and one held
    /// after it began waits for the next write.
    @Test func aDueWriteGoesInSlicesInTheStoresKeyOrder() {
        var deferred = DeferredActivity()
        let (a, b, c) = (seen("a", events: 2, incident: 2), seen("b", events: 2), seen("c", events: 2, incident: 2))
        var held = StoreBatch(at: fixedNow)
        held.incidentActivity = [counted(2, events: 5), counted(1, events: 4)]
        held.alertActivity = [c, a, b]
        deferred.route(&held, flush: .none)
        #expect(deferred.count == 5 && !deferred.isDraining)

        var first = StoreBatch(at: fixedNow)
        let firstOver = deferred.route(&first, flush: .slice(limit: 2))
        #expect(!firstOver, "the write is not over")
        #expect(first.incidentActivity.map(\.number) == [1, 2])
        #expect(first.alertActivity.isEmpty)
        #expect(deferred.isDraining && deferred.count == 3)

        // Meanwhile a is written in full, and d is held after the write began.
        let d = seen("d", events: 1)
        var second = StoreBatch(alerts: [seen("a", events: 3, incident: 2)], at: fixedNow)
        second.alertActivity = [d]
        let secondOver = deferred.route(&second, flush: .slice(limit: 1))
        #expect(!secondOver)
        #expect(second.alertActivity == [b], "incident 1's alert comes before incident 2's")

        var third = StoreBatch(at: fixedNow)
        let thirdOver = deferred.route(&third, flush: .slice(limit: 5))
        #expect(thirdOver, "the write is over")
        #expect(third.alertActivity == [c], "a was written in full")
        #expect(!deferred.isDraining)
        #expect(Array(deferred.alerts.values) == [d], "held after the write began: it waits for the next")
    }

    /// The idle pipeline's slice is taken from what is held only once the store has it: a failed write leaves it
    /// held, and the next try gets the same slice.
    @Test func anIdleSliceIsTakenOnlyOnceWritten() {
        var deferred = DeferredActivity()
        var held = StoreBatch(at: fixedNow)
        held.alertActivity = [seen("a", events: 2), seen("b", events: 3)]
        let inOrder = held.alertActivity.sorted { $0.fingerprint < $1.fingerprint }
        deferred.route(&held, flush: .none)

        let (slice, end) = deferred.nextSlice(1, at: fixedNow)
        #expect(slice.alertActivity == [inOrder[0]])
        #expect(deferred.count == 2, "nothing is taken before the write returns")
        let (again, endAgain) = deferred.nextSlice(1, at: fixedNow)
        #expect(again.alertActivity == slice.alertActivity && endAgain == end)
        let over = deferred.sliceWritten(through: end)
        #expect(!over)
        var unwritten = inOrder[1]
        unwritten.events = 0
        #expect(deferred.count == 1 && deferred.overlay(unwritten) == inOrder[1])

        let (last, lastEnd) = deferred.nextSlice(1, at: fixedNow)
        #expect(last.alertActivity == [inOrder[1]])
        let lastOver = deferred.sliceWritten(through: lastEnd)
        #expect(lastOver)
        #expect(deferred.isEmpty && !deferred.isDraining)
    }

    /// Under a steady load, the write of held activity that falls due is paced over half the flush interval: each
    /// commit carries the share the time since the write began calls for, at least `activitySlice`, instead of the
    /// first carrying all of it. Written whole, 2,000 alerts seen again held one commit a second for tens of
    /// milliseconds, and every event behind it (issue 16). Commits are let through one at a time, so the time each
    /// starts at is the test's.
    @Test func aBusyPipelinesDueWriteIsPacedOverItsNextCommits() async throws {
        let gate = Gate()
        let clock = Atomic<Int64>(0)
        func at(milliseconds: Int64) { clock.store(milliseconds * 1_000_000, ordering: .sequentiallyConsistent) }
        let (store, running) = try gatedPipeline(
            gate,
            change: {
                $0.activityFlushInterval = .seconds(1)
                $0.activitySlice = 1
            },
            uptime: { .nanoseconds(clock.load(ordering: .sequentiallyConsistent)) })
        // Three hosts, three incidents; seen again at 0 s, their counts are held: 6 snapshots. The last commit waits
        // at the gate, so that the loop is never idle (an idle loop writes what is due on its own).
        gate.allow(5)
        for host in ["a", "b", "c", "a", "b"] {
            _ = try await running.pipeline.submit([alert(host)], positions: [:]).receipt()
        }
        let last = await running.pipeline.submit([alert("c")], positions: [:])
        try await waitUntil("the last repeat's commit reaches the store") { gate.arrivals == 6 }

        // Four new hosts queued behind that commit, a batch each; each commit starts when the one before returns.
        let tickets = await running.pipeline.submit(each: ["d", "e", "f", "g"].map { [alert($0)] })
        for (arrival, milliseconds) in [(7, 1500), (8, 1500), (9, 1900), (10, 2000)] as [(Int, Int64)] {
            at(milliseconds: milliseconds)
            gate.allow()
            try await waitUntil("commit \(arrival) reaches the store") { gate.arrivals == arrival }
        }
        gate.open()
        for ticket in [last] + tickets { _ = try await ticket.receipt() }
        #expect(
            store.batches.withLock { $0 }.dropLast(4).allSatisfy {
                $0.alertActivity.isEmpty && $0.incidentActivity.isEmpty
            })
        let carried = store.batches.withLock { batches in
            batches.suffix(4).map { batch in
                batch.incidentActivity.map { "INC-\($0.number)" }
                    + batch.alertActivity.map { "\($0.labels["host"] ?? "")@\($0.incident ?? 0)" }
            }
        }
        // 1.5 s: due, the write begins with `activitySlice`; again at 1.5 s: none is called for yet, the least
        // goes; 1.9 s, 0.4 of the 0.5 s: 5 of the 6 by now; 2.0 s: the rest.
        #expect(carried == [["INC-1"], ["INC-2"], ["INC-3", "a@1", "b@2"], ["c@3"]])
        for number in 1...3 { #expect(try await store.alerts(of: number).first?.events == 2) }
        await running.stop()
    }

    /// What a rebuild held is written from the first commit on, spread over as many seconds as it holds
    /// `heldOnRestoreRate` snapshots, and not all at once though it holds more than `maxDeferredActivity`: a
    /// restart after `kill -9` may hold every alert sent again since the checkpoint. What was held again meanwhile
    /// is written next, at once and spread the same way while it is more than half an interval's worth; waiting
    /// for the interval, it was written in a burst of its own.
    @Test func whatARebuildHeldIsWrittenSpreadByItsSize() async throws {
        let path = tempDir() + "/s.sqlite"
        // Three hosts, three incidents, each seen again: a crash, and the rebuild holds 6 snapshots.
        do {
            let store = WrappedStore(inner: try SQLiteStore(path: path))
            let running = RunningPipeline(store: store, tuning: quietTuning())
            for host in ["a", "b", "c", "a", "b", "c"] {
                _ = try await running.pipeline.submit([alert(host)], positions: [:]).receipt()
            }
            await store.crash()
            running.loop.cancel()
            await running.loop.value
        }
        let inner = try SQLiteStore(path: path)
        let restored = try await EngineRecovery(store: inner, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.held.count == 6)

        let gate = Gate()
        let store = WrappedStore(inner: inner, commitGate: gate)
        let clock = Atomic<Int64>(0)
        var tuning = quietTuning()
        tuning.activityFlushInterval = .seconds(1)
        tuning.activitySlice = 1
        tuning.maxDeferredActivity = 2
        tuning.heldOnRestoreRate = 2
        let pipeline = IngestPipeline(
            engine: restored.engine, store: store, tuning: tuning, metrics: DaemonMetrics(), logger: quiet,
            now: { fixedNow }, uptime: { .nanoseconds(clock.load(ordering: .sequentiallyConsistent)) },
            held: restored.held)
        // Queued before the loop runs, a batch each: the loop is never idle (an idle loop writes what is held on its
        // own), and each commit starts when the one before returns. "a" and "b" are seen again.
        let tickets = await pipeline.submit(each: ["d", "a", "b", "e", "f"].map { [alert($0)] })
        let loop = Task { await pipeline.run() }
        try await waitUntil("the first commit reaches the store") { gate.arrivals == 1 }
        for (arrival, milliseconds) in [(2, 1500), (3, 3000), (4, 3000), (5, 4000)] as [(Int, Int64)] {
            clock.store(milliseconds * 1_000_000, ordering: .sequentiallyConsistent)
            gate.allow()
            try await waitUntil("commit \(arrival) reaches the store") { gate.arrivals == arrival }
        }
        gate.open()
        for ticket in tickets { _ = try await ticket.receipt() }
        let carried = store.batches.withLock { batches in
            batches.map { batch in
                batch.incidentActivity.map { "INC-\($0.number)@\($0.events)" }
                    + batch.alertActivity.map { "\($0.labels["host"] ?? "")@\($0.incident ?? 0)" }
            }
        }
        // 0 s: due at once, the write begins with `activitySlice`; 1.5 s, half of the 3 s that 6 snapshots at 2 a
        // second take: 3 of the 6 by now; 3 s: the rest, "a" and "b" as seen again. INC-1 and INC-2, held again
        // after their slices, are 2 (more than the 1 half an interval takes at 2 a second): at once, over 1 s.
        #expect(
            carried == [
                ["INC-1@2"], ["INC-2@2", "INC-3@2"], ["a@1", "b@2", "c@3"], ["INC-1@3"], ["INC-2@3"],
            ])
        #expect(try await inner.alerts(of: 1).first?.events == 3)
        #expect(try await inner.alerts(of: 2).first?.events == 3)
        #expect(try await inner.alerts(of: 3).first?.events == 2)
        await pipeline.stop()
        await loop.value
    }

    /// The chase of a rebuild's backlog goes on while what was held again is more than half an interval's worth at
    /// the rate and less than the write before it; a load the rate cannot keep up with falls back to the usual pace.
    @Test func aRebuildsBacklogIsChasedOnlyWhileItShrinks() {
        var tuning = IngestPipeline.Tuning()
        tuning.activityFlushInterval = .seconds(1)
        tuning.heldOnRestoreRate = 20_000
        // Half a second at 20,000 a second: 10,000.
        #expect(IngestPipeline.chasesBacklog(written: 105_000, heldAgain: 25_000, tuning: tuning))
        #expect(!IngestPipeline.chasesBacklog(written: 105_000, heldAgain: 10_000, tuning: tuning))
        #expect(!IngestPipeline.chasesBacklog(written: 25_000, heldAgain: 25_000, tuning: tuning))
        #expect(!IngestPipeline.chasesBacklog(written: 25_000, heldAgain: 40_000, tuning: tuning))
        // Not a rebuild's write: the usual pace.
        #expect(!IngestPipeline.chasesBacklog(written: 0, heldAgain: 25_000, tuning: tuning))
        // A rate of 0 is taken as 1 a second, not a division by zero.
        tuning.heldOnRestoreRate = 0
        #expect(IngestPipeline.chasesBacklog(written: 6, heldAgain: 2, tuning: tuning))
    }

    @Test func aReplaysEffectsLeaveOnlyActivityNotSupersededLater() {
        var deferred = DeferredActivity()
        deferred.absorb([.alertActivity(seen("a", events: 2)), .incidentActivity(counted(1, events: 2))])
        deferred.absorb([.alertActivity(seen("b", events: 5)), .alert(seen("a", events: 3))])
        deferred.absorb([.alertLeft(incident: 1, fingerprint: seen("b", events: 0).fingerprint)])
        deferred.absorb([.alertActivity(seen("c", events: 7)), .incidentActivity(counted(1, events: 9))])
        let batch = deferred.batch(at: fixedNow)
        #expect(batch.alertActivity == [seen("c", events: 7)])
        #expect(batch.incidentActivity == [counted(1, events: 9)])
    }

    /// The pipeline holds activity between writes and, once it is idle, writes it when it is due; meanwhile a
    /// reader of the store gets the held counts through `overlay`. The store's commits wait at gates, batches take
    /// one event each and the clock is the test's, so every step is known without a time.
    @Test func activityIsHeldThenWrittenWhenIdleAndDueAndReadersSeeItMeanwhile() async throws {
        let gate = Gate()
        let activityGate = Gate()
        let clock = Atomic<Int64>(0)
        func move(to seconds: Int64) async {
            clock.store(seconds * 1_000_000_000, ordering: .sequentiallyConsistent)
            await running.pipeline.clockMoved()
        }
        // Without a tick, an event that found no waiting loop would wait for ever: the write of held activity
        // must not lose a wake-up.
        let (store, running) = try gatedPipeline(
            gate, activityGate: activityGate, idleTick: .seconds(3600),
            change: { $0.activityFlushInterval = .seconds(10) },
            uptime: { .nanoseconds(clock.load(ordering: .sequentiallyConsistent)) })
        try await firstCommittingThenThreeRepeatsBehind(gate, running)

        // Every event is committed; the counts of the three repeats are held, not due before 10 s: the idle
        // pipeline waits without writing them.
        try await waitUntil("the pipeline waits") { await running.pipeline.isWaiting }
        #expect(activityGate.arrivals == 0)
        let batches = store.batches.withLock { $0 }
        #expect(batches.map(\.events.count) == [1, 1, 1, 1])
        #expect(batches.map(\.alerts.count) == [1, 0, 0, 0])
        #expect(batches.allSatisfy { $0.alertActivity.isEmpty && $0.incidentActivity.isEmpty })
        let stored = try #require(try await store.alerts(of: 1).first)
        #expect(stored.events == 1)
        #expect(try await store.incident(1)?.events == 1)
        #expect(await running.pipeline.overlay([stored]).first?.events == 4)
        let incident = try #require(try await store.incident(1))
        #expect(await running.pipeline.overlay([incident]).first?.events == 4)

        // Due: the idle pipeline writes them in a commit of their own, which waits at its gate.
        await move(to: 10)
        try await waitUntil("the held activity's write reaches the store") { activityGate.arrivals == 1 }
        // An event arrives while the held activity is being written.
        let fifth = await running.pipeline.submit([repeated()], positions: [:])
        let answered = Flag()
        let waiter = Task {
            _ = try await fifth.receipt()
            answered.value.store(true, ordering: .sequentiallyConsistent)
        }
        activityGate.open()
        try await waitUntil("the counts are written") { try await store.alerts(of: 1).first?.events ?? 0 >= 4 }
        try await waitUntil("the event that arrived meanwhile is answered") {
            answered.value.load(ordering: .sequentiallyConsistent)
        }
        try await waiter.value
        #expect(carried(store) == [[], [], [], [], [4, 4], []], "its own count is held again")
        await move(to: 20)
        try await waitUntil("its count is written when due") { try await store.alerts(of: 1).first?.events == 5 }
        #expect(try await store.incident(1)?.events == 5)
        await running.stop()
    }

    /// An operator command's batch carries an inline checkpoint; a repeat's activity is held when it is taken. The
    /// checkpoint's commit does not write what is held: the state it saves lists it.
    @Test func aCheckpointListsWhatIsHeldRatherThanWritingIt() async throws {
        let gate = Gate()
        let (store, running) = try gatedPipeline(gate)
        let (first, second) = try await firstCommittingAndARepeatBehind(gate, running)
        // The command runs in the engine when it is absorbed: into the batch behind the commit, or the next one.
        let ran = Flag()
        let command = Task {
            try await running.pipeline.execute { (_: inout CorrelationEngine, _: Timestamp) in
                ran.value.store(true, ordering: .sequentiallyConsistent)
                return ((), [Effect]())
            }
        }
        try await waitUntil("the command is absorbed or waits in the queue") {
            let queued = await running.pipeline.queuedWork
            return ran.value.load(ordering: .sequentiallyConsistent) || queued == 1
        }
        gate.open()
        _ = try await first.receipt()
        _ = try await second.receipt()
        try await command.value

        let batches = store.batches.withLock { $0 }
        let checkpoint = try #require(batches.firstIndex { $0.engineState != nil })
        #expect(batches[...checkpoint].allSatisfy { $0.alertActivity.isEmpty && $0.incidentActivity.isEmpty })
        let state = try EngineState.decode(try #require(batches[checkpoint].engineState))
        let listed = try #require(state.unwritten)
        #expect(listed.incidents == [1])
        #expect(listed.alerts.map(\.snapshot.fingerprint) == [repeated().labels.fingerprint])
        #expect(listed.alerts.map(\.snapshot.events) == [2])
        #expect(try await store.alerts(of: 1).first?.events == 1)
        // A clean stop writes it, and its own checkpoint lists nothing.
        await running.stop()
        #expect(try await store.alerts(of: 1).first?.events == 2)
        #expect(try await store.incident(1)?.events == 2)
        let last = try #require(try await store.engineCheckpoint())
        #expect(try EngineState.decode(last.data).unwritten == nil)
    }

    /// A timed checkpoint is taken while a repeat's activity is held, then the process dies (no stop, no final
    /// checkpoint). The checkpoint covers every event, so the restart replays none: the activity is held again
    /// because the checkpoint lists it, and the pipeline the restart hands it to writes it.
    @Test func aCrashAfterATimedCheckpointLosesNoHeldActivity() async throws {
        let gate = Gate()
        gate.open()
        let clock = Atomic<Int64>(0)
        let (store, running) = try gatedPipeline(
            gate, idleTick: .seconds(3600), change: { $0.checkpointInterval = .seconds(5) },
            uptime: { .nanoseconds(clock.load(ordering: .sequentiallyConsistent)) })
        for _ in 0..<3 { _ = try await running.pipeline.submit([repeated()], positions: [:]).receipt() }
        #expect(store.batches.withLock { $0 }.allSatisfy { $0.engineState == nil })
        // The next batch's commit takes a checkpoint of the engine; it is encoded off the pipeline and carried by a
        // commit of its own.
        clock.store(6_000_000_000, ordering: .sequentiallyConsistent)
        let last = try await running.pipeline.submit([repeated()], positions: [:]).receipt()
        #expect(last.accepted == 1)
        try await waitUntil("the checkpoint is committed") {
            store.batches.withLock { $0.contains { $0.engineState != nil } }
        }
        let batches = store.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.alertActivity.isEmpty && $0.incidentActivity.isEmpty })
        #expect(try await store.alerts(of: 1).first?.events == 1)
        #expect(try await store.incident(1)?.events == 1)

        await store.crash()
        running.loop.cancel()
        await running.loop.value
        #expect(store.batches.withLock { $0 }.allSatisfy { $0.alertActivity.isEmpty && $0.incidentActivity.isEmpty })
        #expect(try await store.alerts(of: 1).first?.events == 1)
        let restored = try await EngineRecovery(store: store.inner, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == 0)
        try await expectWritten(restored, to: store.inner, events: 4)
    }

    /// What a rebuild holds is not in the store, and the pipeline it is handed to writes it on its own, at once:
    /// readers see the counts meanwhile, and the store ends as the engine has them. Dying again before that write
    /// loses nothing: the next rebuild holds the same.
    func expectWritten(_ restored: EngineRecovery.Restored, to store: SQLiteStore, events: Int) async throws {
        #expect(try await store.alerts(of: 1).first?.events == 1)
        #expect(restored.held.batch(at: fixedNow).alertActivity.map(\.events) == [events])
        do {
            let gate = Gate()
            let wrapped = WrappedStore(inner: store, activityGate: gate)
            let running = RunningPipeline(store: wrapped, engine: restored.engine, held: restored.held)
            try await waitUntil("the write of what is held waits at the gate") { gate.arrivals == 1 }
            #expect(try await store.alerts(of: 1).first?.events == 1)
            #expect(await running.pipeline.overlay(try await store.alerts(of: 1)).map(\.events) == [events])
            // The process dies with the write at the gate: it never reaches the store.
            await wrapped.crash()
            running.loop.cancel()
            gate.open()
            await running.loop.value
            #expect(wrapped.batches.withLock { $0 }.isEmpty)
        }
        #expect(try await store.alerts(of: 1).first?.events == 1)
        let again = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        let (held, heldAgain) = (restored.held.batch(at: fixedNow), again.held.batch(at: fixedNow))
        #expect(heldAgain.alertActivity == held.alertActivity && heldAgain.incidentActivity == held.incidentActivity)
        let running = RunningPipeline(store: store, engine: again.engine, held: again.held)
        try await waitUntil("the held counts are written") { try await store.alerts(of: 1).first?.events == events }
        let alert = try #require(try await store.alerts(of: 1).first)
        #expect(alert == restored.engine.alerts(of: 1).first)
        #expect(try await store.incident(1)?.events == events)
        #expect(try await store.incident(1) == restored.engine.snapshot(1))
        await running.stop()
    }

    /// What a checkpoint lists is held again by a restore: the alerts as listed, even one whose key the engine no
    /// longer has (an alert the engine moved to a new incident, or one of two alerts with one label set in one
    /// incident: the store's key cannot tell them apart); the incidents as the engine has them, if it has them.
    @Test func aRestoreHoldsWhatTheCheckpointLists() {
        var engine = CorrelationEngine(ruleSet: ruleSet())
        let a = alert("a", 1)
        _ = engine.ingest(a)
        _ = engine.ingest(a)
        let moved = AlertSnapshot(
            fingerprint: a.labels.fingerprint, incident: 7, labels: a.labels, annotations: ["n": "0"], status: .firing,
            firstSeen: fixedNow, lastSeen: fixedNow + .seconds(3), events: 5, suppressed: false)
        let listed = EngineState.UnwrittenActivity(incidents: [1, 99], alerts: [.init(moved, incident: 7)])
        var held = DeferredActivity()
        held.absorb(EngineRecovery.held(listed, in: engine))
        let batch = held.batch(at: fixedNow)
        #expect(batch.incidentActivity == [engine.snapshot(1)!])
        #expect(batch.incidentActivity.map(\.events) == [2])
        #expect(batch.alertActivity == [moved])
    }

    /// A crash while activity was held: the events are in the store, their counts are not. The engine's rebuild
    /// replays the events after the last checkpoint and holds what their activity says, for the pipeline to write.
    @Test func theRebuildWritesActivityACrashKeptFromTheStore() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        var engine = CorrelationEngine(ruleSet: ruleSet())
        // Each with new annotations: held with the counts, and lost with them.
        func repeated(_ seconds: Int64, _ summary: String) -> Event {
            Event(
                labels: ["alertname": "DiskFull", "host": "a"], annotations: ["summary": summary], status: .firing,
                startsAt: fixedNow, source: .socket, receivedAt: fixedNow + .seconds(seconds))
        }
        for (i, event) in [repeated(0, "90% full"), repeated(5, "95% full"), repeated(9, "99% full")].enumerated() {
            var builder = BatchBuilder(at: event.receivedAt)
            builder.add(engine.advance(to: event.receivedAt))
            builder.add(engine.ingest(event))
            builder.add(events: [event])
            var batch = builder.batch()
            // What the pipeline held back and a crash lost.
            if i > 0 {
                #expect(batch.alertActivity.count == 1 && batch.alerts.isEmpty)
                batch.alertActivity = []
                batch.incidentActivity = []
            }
            _ = try await store.commit(batch)
        }
        #expect(try await store.alerts(of: 1).first?.events == 1)
        #expect(try await store.alerts(of: 1).first?.annotations == ["summary": "90% full"])

        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: ruleSet())
        #expect(restored.replayed == 3)
        #expect(restored.held.batch(at: fixedNow).alertActivity.map(\.annotations) == [["summary": "99% full"]])
        try await expectWritten(restored, to: store, events: 3)
        #expect(try await store.alerts(of: 1).first?.annotations == ["summary": "99% full"])
    }
}

final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
