import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

/// A store file in `directory` with the schema of an earlier release (`version`, a migration's name) and the
/// rows `sql` inserts, closed: what opening it with this build upgrades.
func earlierStore(_ version: String, in directory: String, rows sql: String) async throws -> String {
    let path = directory + "/old.sqlite"
    let queue = try DatabaseQueue(path: path)
    try SQLiteStore.migrator.migrate(queue, upTo: version)
    try await queue.write { db in try db.execute(sql: sql) }
    try queue.close()
    return path
}

@Suite struct MigrationTests {
    static let tables = [
        "alerts", "engine_state", "engine_state_parts", "events", "incidents", "kb_articles", "kb_fts", "kb_fts_config",
        "kb_fts_data",
        "kb_fts_docsize", "kb_fts_idx", "notes", "outbox", "source_positions", "timeline",
    ]

    func tableNames(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                    AND name NOT LIKE 'grdb_%' ORDER BY name
                    """)
        }
    }

    @Test func anEmptyFileGetsTheSchemaInWALMode() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/a/b/incidentd.sqlite"
            let store = try SQLiteStore(path: path)
            #expect(try await store.eventCount() == 0)
            #expect(try await store.engineState() == nil)
            try store.close()
            #expect(try tableNames(path) == Self.tables)
            let queue = try DatabaseQueue(path: path)
            let mode = try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test func reopeningRunsNoMigrationTwiceAndKeepsTheData() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incidentd.sqlite"
            let first = try SQLiteStore(path: path)
            _ = try await first.commit(StoreBatch(events: [sampleEvent()], incidents: [fullIncident()], at: t(1)))
            try first.close()
            let second = try SQLiteStore(path: path, synchronous: .normal)
            #expect(try await second.eventCount() == 1)
            #expect(try await second.incident(7) == fullIncident())
            try second.close()
            let queue = try DatabaseQueue(path: path)
            let applied = try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(applied == ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10"])
        }
    }

    /// v10 adds the checkpoint's parts: a checkpoint saved whole before it is restored as it was, and the next one
    /// in parts replaces it.
    @Test func aCheckpointSavedBeforeV10IsRestoredAndReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let path = try await earlierStore(
                "v9", in: directory,
                rows: """
                    INSERT INTO engine_state (id, version, data, saved_at, through_event) VALUES (1, 3, X'0102', 5, 0)
                    """)
            let store = try SQLiteStore(path: path)
            #expect(
                try await store.engineCheckpoint()
                    == EngineCheckpoint(data: Data([1, 2]), throughEvent: 0, savedAt: Timestamp(microseconds: 5)))
            for index in 0..<2 {
                var batch = StoreBatch(at: t(1))
                batch.engineStatePart = EngineStatePart(
                    index: index, count: 2, data: Data([UInt8(7 + index)]), throughEvent: 0)
                _ = try await store.commit(batch)
            }
            #expect(try await store.engineState() == Data([7, 8]))
        }
    }

    /// v5 rebuilds the outbox table for its new state (`cancelled`): rows, ids and columns come through.
    @Test func aV4OutboxKeepsItsRowsAndCanCancelThem() async throws {
        try await withTemporaryDirectory { directory in
            let path = try await earlierStore(
                "v4", in: directory,
                rows: """
                    INSERT INTO outbox (id, incident, notifier, policy, step, round, idempotency_key, due, state,
                        attempts, next_attempt, last_error, moment)
                    VALUES (41, 7, 'pager', 'default', 0, 0, 'INC-7/0/0', 5, 'pending', 2, 9, 'HTTP 503', NULL),
                        (42, 7, 'chat', 'default', -1, 0, 'INC-7/ack/5', 5, 'pending', 0, 5, NULL, 'ack')
                    """)
            let store = try SQLiteStore(path: path)
            let due = try await store.dueOutbox(before: .distantFuture, limit: 10)
            #expect(due.map(\.id) == [42, 41])
            #expect(due.first { $0.id == 41 }?.attempts == 2)
            #expect(due.first { $0.id == 41 }?.lastError == "HTTP 503")
            #expect(due.first { $0.id == 42 }?.notification.moment == "ack")
            let cancellation = NotificationCancellation(
                incident: 7, steps: [.init(policy: "default", step: 0)], at: Timestamp(microseconds: 10),
                reason: "acknowledged by ann")
            _ = try await store.commit(StoreBatch(cancellations: [cancellation], at: Timestamp(microseconds: 10)))
            #expect(try await !store.isPending(outbox: 41))
            #expect(try await store.isPending(outbox: 42))
        }
    }

    /// v8 keys the timeline's uniqueness by time first: the lines a v7 store holds stay, in order, and a line it
    /// holds is still ignored when written again, as a replay after a restart writes it.
    @Test func aV7TimelineKeepsItsLinesAndStillIgnoresARepeatedOne() async throws {
        try await withTemporaryDirectory { directory in
            let path = try await earlierStore(
                "v7", in: directory,
                rows: """
                    INSERT INTO timeline (incident, at, type, detail)
                    VALUES (7, 5, 'opened', 'by rule disk'), (7, 6, 'escalated', 'step 0'), (8, 5, 'opened', 'x')
                    """)
            let store = try SQLiteStore(path: path)
            #expect(try await store.timeline(of: 7).map(\.type) == ["opened", "escalated"])
            let replayed = TimelineEntry(at: Timestamp(microseconds: 5), type: "opened", detail: "by rule disk")
            let new = TimelineEntry(at: Timestamp(microseconds: 9), type: "acknowledged", detail: "by ann")
            _ = try await store.commit(
                StoreBatch(timeline: [(7, replayed), (7, new), (7, new)], at: Timestamp(microseconds: 9)))
            #expect(try await store.timeline(of: 7).map(\.type) == ["opened", "escalated", "acknowledged"])
            #expect(try await store.timeline(of: 8).map(\.type) == ["opened"])
            try store.close()
            let columns = try await DatabaseQueue(path: path).read { db in
                try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('timeline_unique') ORDER BY seqno")
            }
            #expect(columns == ["at", "incident", "type", "detail"])
        }
    }

    /// v9 makes the outbox's indexes hold pending rows only: a v8 store's pending rows are still due, in order,
    /// and cancelled by incident; its delivered row is in none of them; and the store's due read, next attempt,
    /// status and cancellation look-up (`OutboxSQL`) go through them.
    @Test func aV8OutboxKeepsItsPendingRowsInPartialIndexes() async throws {
        try await withTemporaryDirectory { directory in
            let path = try await earlierStore(
                "v8", in: directory,
                rows: """
                    INSERT INTO outbox (id, incident, notifier, policy, step, round, idempotency_key, due, state,
                        attempts, next_attempt, delivered_at)
                    VALUES (1, 7, 'pager', 'default', 0, 0, 'INC-7/0/0', 5, 'delivered', 1, 5, 6),
                        (2, 7, 'pager', 'default', 1, 0, 'INC-7/1/0', 8, 'pending', 0, 8, NULL),
                        (3, 8, 'chat', 'default', 0, 0, 'INC-8/0/0', 7, 'pending', 0, 7, NULL)
                    """)
            let store = try SQLiteStore(path: path)
            #expect(try await store.dueOutbox(before: .distantFuture, limit: 10).map(\.id) == [3, 2])
            #expect(try await store.nextOutboxAttempt() == Timestamp(microseconds: 7))
            #expect(try await store.outboxStatus(at: Timestamp(microseconds: 9)).pending == 2)
            let cancellation = NotificationCancellation(
                incident: 7, steps: [.init(policy: "default", step: 1)], at: Timestamp(microseconds: 10),
                reason: "acknowledged by ann")
            _ = try await store.commit(StoreBatch(cancellations: [cancellation], at: Timestamp(microseconds: 10)))
            #expect(try await store.dueOutbox(before: .distantFuture, limit: 10).map(\.id) == [3])
            try store.close()
            try await DatabaseQueue(path: path).read { db in
                for index in ["outbox_pending", "outbox_pending_by_notifier", "outbox_incident"] {
                    let rows = try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM outbox INDEXED BY \(index) WHERE state = 'pending'")
                    #expect(rows == 1, "\(index) holds the one row still pending")
                }
                let partial = try String.fetchAll(
                    db, sql: "SELECT name FROM pragma_index_list('outbox') WHERE partial = 1 ORDER BY name")
                #expect(partial == ["outbox_incident", "outbox_pending", "outbox_pending_by_notifier"])
                // The store's own statements, with arguments: each part that reads pending rows goes through a
                // partial index, and none scans the table.
                let plans: [(sql: String, arguments: StatementArguments, indexes: [String])] = [
                    (OutboxSQL.due, [9, 64], ["outbox_pending_by_notifier"]),
                    (OutboxSQL.nextAttempt, [], ["outbox_pending"]),
                    (OutboxSQL.status, [9], ["outbox_pending", "outbox_pending_by_notifier", "outbox_incident"]),
                    (OutboxSQL.cancellable, [7, 9], ["outbox_incident"]),
                ]
                for (sql, arguments, indexes) in plans {
                    let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map {
                        $0["detail"] as String
                    }
                    #expect(!plan.contains { $0.hasPrefix("SCAN outbox") && !$0.contains("INDEX") }, "\(plan)")
                    #expect(
                        plan.contains { line in indexes.contains { line.contains("INDEX \($0)") } },
                        "\(sql): \(plan)")
                }
            }
        }
    }
}

@Suite struct SynchronousTests {
    @Test(arguments: [(SQLiteStore.Synchronous.full, 2), (.normal, 1)])
    func everyConnectionUsesTheChosenSyncMode(_ mode: SQLiteStore.Synchronous, _ pragma: Int) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/s.sqlite", synchronous: mode)
            let reader = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            let writer = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(reader == pragma)
            #expect(writer == pragma)
        }
    }
}
