import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

@Suite struct MigrationTests {
    static let tables = [
        "alerts", "engine_state", "events", "incidents", "notes", "outbox", "source_positions", "timeline",
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
            #expect(applied == ["v1", "v2", "v3", "v4"])
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
