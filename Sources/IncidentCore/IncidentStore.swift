import Foundation

/// The durable record of events, incidents, their alerts and timelines, notes, the outbox and the engine's
/// state (SPEC §9). Implementations are safe to share between tasks; their errors are `StoreError`s.
public protocol IncidentStore: Sendable {
    /// Writes the whole batch in one transaction, or nothing of it; returns the events' ids in order.
    func commit(_ batch: StoreBatch) async throws -> [Int64]
    /// `commit`, also saying which outbox rows the batch queued, so that their delivery can start without
    /// reading the outbox back. The default says nothing about them (`queued` nil).
    func commitReporting(_ batch: StoreBatch) async throws -> CommitReport
    /// Whether `commit` binds `StoreBatch.eventColumns` when it finds them (the default: no).
    var takesEventColumns: Bool { get }
    /// `commitReporting` started now, from synchronous code, with `completion` called once it has ended, on any
    /// thread. The default runs `commitReporting` in a task of its own; the SQLite store queues the commit on its
    /// writer directly, which spares a thread's wake-up on each commit of the pipeline.
    func startCommit(_ batch: StoreBatch, completion: @escaping @Sendable (Result<CommitReport, any Error>) -> Void)

    /// The incident with this number, or nil.
    func incident(_ number: Int) async throws -> Incident?
    /// Incidents in any of `states`, optionally of one kind and priority, newest opened first.
    func incidents(states: Set<IncidentState>, kind: IncidentKind?, priority: Priority?, limit: Int) async throws
        -> [Incident]
    /// One page of incidents matching a search, newest opened first, with the number matching in all.
    func searchIncidents(_ search: IncidentSearch) async throws -> IncidentPage
    /// An incident's alerts, in order of first sight.
    func alerts(of incident: Int) async throws -> [AlertSnapshot]
    /// The incident's alert seen last (of those seen last, the first seen, then by fingerprint), nil when it has
    /// none: what a page about the incident shows. The stores read one row, not every alert of the incident.
    func latestAlert(of incident: Int) async throws -> AlertSnapshot?
    /// An incident's timeline, oldest first.
    func timeline(of incident: Int) async throws -> [TimelineEntry]
    /// An incident's notes, oldest first.
    func notes(of incident: Int) async throws -> [IncidentNote]
    /// Records a note and returns it with its id.
    func addNote(incident: Int, author: String, text: String, at: Timestamp) async throws -> IncidentNote

    /// The engine state last committed, or nil when none was.
    func engineState() async throws -> Data?
    /// The engine state last committed with the id of the last event it covers, or nil when none was.
    func engineCheckpoint() async throws -> EngineCheckpoint?
    /// The last position committed for a source (`journal` → cursor), or nil.
    func sourcePosition(_ source: String) async throws -> String?
    /// Every committed source position whose key starts with `prefix` (the spool's `spool:NAME` rows), by key.
    func sourcePositions(withPrefix prefix: String) async throws -> [String: String]
    /// Deletes each position whose stored value is still the one given, in one transaction; a position committed
    /// again meanwhile stays. Returns how many were deleted.
    func forgetSourcePositions(_ positions: [String: String]) async throws -> Int
    /// Recorded events with ids greater than `id`, in id order, at most `limit`.
    func events(after id: Int64, limit: Int) async throws -> [(id: Int64, event: Event)]
    /// How many events are recorded.
    func eventCount() async throws -> Int
    /// Deletes events received before `time`; returns how many.
    func purgeEvents(olderThan time: Timestamp) async throws -> Int

    /// Pending outbox rows whose next attempt is at or before `time`, earliest first: at most `limit` for each
    /// notifier, so one notifier's backlog never hides another's newest page.
    func dueOutbox(before time: Timestamp, limit: Int) async throws -> [OutboxEntry]
    /// How many rows are pending, and when the oldest of those due by `time` fell due (for metrics and
    /// readiness); one query, whatever the outbox's size.
    func outboxStatus(at time: Timestamp) async throws -> OutboxStatus
    /// Marks a pending row delivered.
    func markDelivered(id: Int64, at time: Timestamp) async throws
    /// Records a failed attempt on a pending row and when to try again.
    func recordAttempt(id: Int64, error: String, nextAttempt: Timestamp) async throws
    /// Gives up on a pending row.
    func markFailed(id: Int64, error: String) async throws

    /// Per kind and priority, the incidents opened at or after `since` with their mean times to acknowledge
    /// and to resolve.
    func report(since: Timestamp) async throws -> [ReportLine]
    /// Per rule, the incidents opened at or after `since`: how many, their events and alerts, and when the newest
    /// opened; rules that opened none are absent. Ordered by rule name.
    func ruleActivity(since: Timestamp) async throws -> [RuleActivity]
    /// Per UTC day and kind, the incidents opened at or after `since` and before `until`; days and kinds with
    /// none are absent (`DailyReport` fills them in). Ordered by day, then kind.
    func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount]
}

/// Everything the daemon keeps: incidents and events, the outbox, the knowledge base. The SQLite and the
/// PostgreSQL store are each one.
public typealias DaemonStore = IncidentStore & KnowledgeBaseStore & OutboxStore

extension IncidentStore {
    /// Whether `commit` binds `StoreBatch.eventColumns` when it finds them. The pipeline writes them only for a
    /// store that does: for one that writes its own, they would be written twice. The default: it does not.
    public var takesEventColumns: Bool { false }

    public func startCommit(
        _ batch: StoreBatch, completion: @escaping @Sendable (Result<CommitReport, any Error>) -> Void
    ) {
        Task.detached {
            do { completion(.success(try await commitReporting(batch))) } catch { completion(.failure(error)) }
        }
    }

    /// For stores that do not report what they queued: the delivery reads the outbox.
    public func commitReporting(_ batch: StoreBatch) async throws -> CommitReport {
        CommitReport(eventIDs: try await commit(batch), queued: nil)
    }

    /// From all of the incident's alerts (for stores without a query of their own: test doubles).
    public func latestAlert(of incident: Int) async throws -> AlertSnapshot? {
        try await alerts(of: incident).max { $0.lastSeen < $1.lastSeen }
    }

    /// The active incidents (open or acknowledged), newest opened first.
    public func activeIncidents(limit: Int = 1000) async throws -> [Incident] {
        try await incidents(states: [.open, .acknowledged], kind: nil, priority: nil, limit: limit)
    }

    /// Incidents in any of `states` (default: the active ones), optionally of one kind and priority, newest
    /// opened first; at most 1,000.
    public func incidents(
        states: Set<IncidentState> = [.open, .acknowledged], kind: IncidentKind? = nil, priority: Priority? = nil
    ) async throws -> [Incident] {
        try await incidents(states: states, kind: kind, priority: priority, limit: 1000)
    }

    /// Pending outbox rows due by `time`, at most 100 per notifier.
    public func dueOutbox(before time: Timestamp) async throws -> [OutboxEntry] {
        try await dueOutbox(before: time, limit: 100)
    }
}
