import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

/// The events' text columns written ahead by the pipeline (`EventColumns`) store exactly what the store writes
/// itself from the events, and columns that do not cover the batch are not used.
@Suite struct EventColumnsTests {
    static let events: [Event] = [
        fullEvent(),
        Event(labels: [:], annotations: [:], status: .firing, source: .socket, receivedAt: t(1)),
        Event(
            labels: ["q": "\"quoted\" \\ back", "ctl": "\u{01}\u{1F}\t\n\r", "nul": "a\0b", "ü": "✓ \u{1F4DF}"],
            annotations: ["message": String(repeating: "long line ", count: 300)], status: .resolved,
            source: .journal, receivedAt: t(2)),
        Event(labels: ["alertname": "DiskFull", "host": "web-1"], status: .firing, source: .http, receivedAt: t(3)),
    ]

    @Test func eachEventsColumnsAreItsHexAndJSON() {
        let columns = EventColumns(Self.events)
        #expect(columns.count == Self.events.count)
        columns.withBuffers { buffers in
            for (i, event) in Self.events.enumerated() {
                let (fingerprint, labels, annotations) = buffers[i]
                #expect(Array(fingerprint) == Array(event.fingerprint.description.utf8))
                #expect(Array(labels) == Array(event.labels.jsonText.utf8))
                #expect(Array(annotations) == Array(event.annotations.jsonText.utf8))
                #expect(!labels.contains(0) && !annotations.contains(0))
            }
        }
        var appended = EventColumns()
        appended.append(contentsOf: Array(Self.events[..<2]))
        appended.append(contentsOf: Array(Self.events[2...]))
        #expect(appended == columns)
        // Columns written apart and joined: the first join takes the other's columns as they are.
        var joined = EventColumns()
        for part in [Array(Self.events[..<1]), [], Array(Self.events[1..<3]), Array(Self.events[3...])] {
            joined.append(EventColumns(part))
        }
        #expect(joined == columns)
    }

    /// Every column of every event row, as SQLite holds it.
    static func rows(_ path: String) async throws -> [[String]] {
        try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, received_at, event_time, source, status, hex(fingerprint), typeof(labels), hex(labels),
                        hex(annotations), quote(starts_at), quote(ends_at), quote(generator_url), acknowledges
                    FROM events ORDER BY id
                    """
            ).map { row in row.databaseValues.map(\.description) }
        }
    }

    @Test func aStoreBindsTheColumnsItIsGivenAsItWritesItsOwn() async throws {
        var stored: [[[String]]] = []
        let given = EventColumns(Self.events)
        let short = EventColumns(Array(Self.events.dropLast()))
        for columns in [nil, given, short] {
            let rows = try await withTemporaryDirectory { directory in
                let path = directory + "/incidentd.sqlite"
                let store = try SQLiteStore(path: path)
                var batch = StoreBatch(events: Self.events, at: t(4))
                batch.eventColumns = columns
                #expect(try await store.commit(batch) == [1, 2, 3, 4])
                #expect(try await store.events(after: 0, limit: 10).map(\.event) == Self.events)
                try store.close()
                return try await Self.rows(path)
            }
            stored.append(rows)
        }
        #expect(stored[0].count == Self.events.count)
        #expect(stored[1] == stored[0])
        // Columns for fewer events than the batch holds are not used: the store writes its own.
        #expect(stored[2] == stored[0])
    }

    /// A batch longer than one multi-row `INSERT` (`eventRowsPerStatement`) is written a statement of several rows
    /// at a time and the rest one by one: every event gets its row, in order, under the id the commit returns, the
    /// same whether the columns are given or written by the store.
    @Test func aLongBatchKeepsItsOrderAndItsIDsAcrossStatements() async throws {
        let rows = SQLiteStore.eventRowsPerStatement
        let long = (0..<(2 * rows + 5)).map { i in
            var event = Self.events[i % Self.events.count]
            event.labels["n"] = String(i)
            return event
        }
        var stored: [[[String]]] = []
        for columns in [nil, EventColumns(long)] {
            let rows = try await withTemporaryDirectory { directory in
                let path = directory + "/incidentd.sqlite"
                let store = try SQLiteStore(path: path)
                #expect(try await store.commit(StoreBatch(events: Array(Self.events[..<3]), at: t(4))) == [1, 2, 3])
                var batch = StoreBatch(events: long, at: t(5))
                batch.eventColumns = columns
                #expect(try await store.commit(batch) == Array(4...Int64(3 + long.count)))
                let read = try await store.events(after: 3, limit: 1000)
                #expect(read.map(\.id) == Array(4...Int64(3 + long.count)))
                #expect(read.map(\.event) == long)
                try store.close()
                return try await Self.rows(path)
            }
            stored.append(rows)
        }
        #expect(stored[0].count == 3 + long.count)
        #expect(stored[1] == stored[0])
    }

    /// Past the largest rowid SQLite numbers new rows at random, and a statement's rows are no longer consecutive:
    /// the batch is refused with a clear error instead of its events getting the wrong ids.
    @Test func aStoreWhoseIDsAreUsedUpRefusesALongBatch() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incidentd.sqlite"
            let store = try SQLiteStore(path: path)
            _ = try await store.commit(StoreBatch(events: [Self.events[3]], at: t(4)))
            try await DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE events SET id = 9223372036854775800 WHERE id = 1")
            }
            let long = (0..<(SQLiteStore.eventRowsPerStatement + 3)).map { _ in Self.events[3] }
            await #expect {
                _ = try await store.commit(StoreBatch(events: long, at: t(5)))
            } throws: { error in
                (error as? StoreError)?.message.contains("ids are used up") == true
            }
            #expect(try await store.eventCount() == 1, "nothing of the batch was written")
            try store.close()
        }
    }
}
