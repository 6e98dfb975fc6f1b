import Foundation
import IncidentCore
import IncidentStore
import Synchronization

/// Forwards every call to a real store after an optional delay or injected failure.
final class WrappedStore: IncidentStore, Sendable {
    let inner: SQLiteStore
    let delay: Duration
    let failNext = Atomic<Bool>(false)
    /// How many of the next reads of engine state and events fail (a rebuild from the store that fails too).
    let failReads = Atomic<Int>(0)
    /// A crash: from now on no commit reaches the store, as after `kill -9`. (Cancelling the pipeline's loop
    /// task does not stop it, and a checkpoint still being encoded would otherwise land after the "crash".)
    let crashed = Atomic<Bool>(false)
    private let commitsInFlight = Atomic<Int>(0)
    /// When set, every commit waits here until the test opens it: a store as slow as the test wants, without
    /// a time.
    let commitGate: Gate?
    /// Events in commits that returned.
    let committedEvents = Atomic<Int>(0)
    /// Every batch whose commit returned, in order. It is recorded after the real store committed it: a reader
    /// may see the rows before the batch is here.
    let batches = Mutex<[StoreBatch]>([])

    /// Crashes the store's writer and returns once no commit that began before is still running: after this,
    /// what the store holds is final.
    func crash() async {
        crashed.store(true, ordering: .sequentiallyConsistent)
        // Polling the in-flight count is the wait for the condition, not a pause.
        while commitsInFlight.load(ordering: .sequentiallyConsistent) > 0 {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// When set, commits that carry no events but held activity (`DeferredActivity`) wait here.
    let activityGate: Gate?
    /// Fails the next commit that carries no events but held activity.
    let failActivity = Atomic<Bool>(false)

    /// False: the store says it writes the events' columns itself, as the PostgreSQL store does.
    let takesColumns: Bool

    init(
        inner: SQLiteStore, delay: Duration = .zero, commitGate: Gate? = nil, activityGate: Gate? = nil,
        takesColumns: Bool = true
    ) {
        self.inner = inner
        self.takesColumns = takesColumns
        self.delay = delay
        self.commitGate = commitGate
        self.activityGate = activityGate
    }

    func before(_ name: String) async throws {
        // An injected delay: a slow disk, which is what these tests are about, not a wait for a result.
        if name == "commit", delay > .zero { try await Task.sleep(for: delay) }
        if name == "commit", let commitGate { await commitGate.pass() }
        if name == "events" || name == "engineCheckpoint",
            failReads.wrappingSubtract(1, ordering: .relaxed).oldValue > 0
        {
            throw StoreError(.other, store: "test", message: "injected read failure")
        } else if name == "events" || name == "engineCheckpoint" {
            failReads.store(0, ordering: .relaxed)
        }
    }

    /// The daemon's tests run the pipeline as it runs on the SQLite store: with the events' columns.
    var takesEventColumns: Bool { takesColumns && inner.takesEventColumns }

    /// `failNext` fails the next commit that carries events: a commit holding only a timed checkpoint or timer
    /// effects (which a slow test run can reach) must not take the failure meant for the test's batch.
    func commit(_ batch: StoreBatch) async throws -> [Int64] {
        try await before("commit")
        if batch.events.isEmpty, !batch.alertActivity.isEmpty || !batch.incidentActivity.isEmpty {
            if let activityGate { await activityGate.pass() }
            if failActivity.exchange(false, ordering: .sequentiallyConsistent) {
                throw StoreError(.diskFull, store: "test", message: "injected failure")
            }
        }
        commitsInFlight.add(1, ordering: .sequentiallyConsistent)
        defer { commitsInFlight.subtract(1, ordering: .sequentiallyConsistent) }
        if crashed.load(ordering: .sequentiallyConsistent) {
            throw StoreError(.other, store: "test", message: "the process crashed")
        }
        if !batch.events.isEmpty, failNext.exchange(false, ordering: .relaxed) {
            throw StoreError(.diskFull, store: "test", message: "injected failure")
        }
        let ids = try await inner.commit(batch)
        committedEvents.add(batch.events.count, ordering: .sequentiallyConsistent)
        batches.withLock { $0.append(batch) }
        return ids
    }
    func incident(_ number: Int) async throws -> Incident? {
        try await before("incident")
        return try await inner.incident(number)
    }
    func incidents(states: Set<IncidentState>, kind: IncidentKind?, priority: Priority?, limit: Int) async throws
        -> [Incident]
    {
        try await before("incidents")
        return try await inner.incidents(states: states, kind: kind, priority: priority, limit: limit)
    }
    func searchIncidents(_ search: IncidentSearch) async throws -> IncidentPage {
        try await before("searchIncidents")
        return try await inner.searchIncidents(search)
    }
    func alerts(of incident: Int) async throws -> [AlertSnapshot] {
        try await before("alerts")
        return try await inner.alerts(of: incident)
    }
    func timeline(of incident: Int) async throws -> [TimelineEntry] {
        try await before("timeline")
        return try await inner.timeline(of: incident)
    }
    func notes(of incident: Int) async throws -> [IncidentNote] {
        try await before("notes")
        return try await inner.notes(of: incident)
    }
    func addNote(incident: Int, author: String, text: String, at: Timestamp) async throws -> IncidentNote {
        try await before("addNote")
        return try await inner.addNote(incident: incident, author: author, text: text, at: at)
    }
    func engineState() async throws -> Data? {
        try await before("engineState")
        return try await inner.engineState()
    }
    func engineCheckpoint() async throws -> EngineCheckpoint? {
        try await before("engineCheckpoint")
        return try await inner.engineCheckpoint()
    }
    func sourcePosition(_ source: String) async throws -> String? {
        try await before("sourcePosition")
        return try await inner.sourcePosition(source)
    }
    func sourcePositions(withPrefix prefix: String) async throws -> [String: String] {
        try await before("sourcePositions")
        return try await inner.sourcePositions(withPrefix: prefix)
    }
    func forgetSourcePositions(_ positions: [String: String]) async throws -> Int {
        try await before("forgetSourcePositions")
        return try await inner.forgetSourcePositions(positions)
    }
    func events(after id: Int64, limit: Int) async throws -> [(id: Int64, event: Event)] {
        try await before("events")
        return try await inner.events(after: id, limit: limit)
    }
    func eventCount() async throws -> Int {
        try await before("eventCount")
        return try await inner.eventCount()
    }
    func purgeEvents(olderThan time: Timestamp) async throws -> Int {
        try await before("purgeEvents")
        return try await inner.purgeEvents(olderThan: time)
    }
    func dueOutbox(before time: Timestamp, limit: Int) async throws -> [OutboxEntry] {
        try await before("dueOutbox")
        return try await inner.dueOutbox(before: time, limit: limit)
    }
    func outboxStatus(at time: Timestamp) async throws -> OutboxStatus {
        try await before("outboxStatus")
        return try await inner.outboxStatus(at: time)
    }
    func markDelivered(id: Int64, at time: Timestamp) async throws {
        try await before("markDelivered")
        return try await inner.markDelivered(id: id, at: time)
    }
    func recordAttempt(id: Int64, error: String, nextAttempt: Timestamp) async throws {
        try await before("recordAttempt")
        return try await inner.recordAttempt(id: id, error: error, nextAttempt: nextAttempt)
    }
    func markFailed(id: Int64, error: String) async throws {
        try await before("markFailed")
        return try await inner.markFailed(id: id, error: error)
    }
    func report(since: Timestamp) async throws -> [ReportLine] {
        try await before("report")
        return try await inner.report(since: since)
    }
    func ruleActivity(since: Timestamp) async throws -> [RuleActivity] {
        try await before("ruleActivity")
        return try await inner.ruleActivity(since: since)
    }
    func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] {
        try await before("dailyCounts")
        return try await inner.dailyCounts(since: since, until: until)
    }
}

/// A gate tasks wait at until the test opens it (once opened it stays open).
final class Gate: Sendable {
    private let state = Mutex<
        (open: Bool, waiters: [CheckedContinuation<Void, Never>], arrivals: Int, permits: Int)
    >((false, [], 0, 0))

    /// How many times a task reached the gate.
    var arrivals: Int { state.withLock { $0.arrivals } }

    func pass() async {
        await withCheckedContinuation { continuation in
            let go = state.withLock { s in
                s.arrivals += 1
                if s.open { return true }
                if s.permits > 0 {
                    s.permits -= 1
                    return true
                }
                s.waiters.append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
    }

    /// Lets `count` more tasks through, the ones waiting first, in order of arrival: a test steps commits one at
    /// a time.
    func allow(_ count: Int = 1) {
        let released = state.withLock { s in
            let n = min(count, s.waiters.count)
            s.permits += count - n
            defer { s.waiters.removeFirst(n) }
            return Array(s.waiters.prefix(n))
        }
        for waiter in released { waiter.resume() }
    }

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

typealias SlowStore = WrappedStore
typealias FailingStore = WrappedStore
