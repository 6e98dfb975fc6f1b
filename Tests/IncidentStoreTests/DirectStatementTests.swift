import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

/// The commit's statements bound through SQLite's C API (`DirectStatement`) store what GRDB's `execute(arguments:)`
/// stores, fail as it fails, and leave the cached statement fit to run again.
@Suite struct DirectStatementTests {
    static let schema = "CREATE TABLE t (i INTEGER, s TEXT, b INTEGER, n TEXT, o INTEGER, required TEXT NOT NULL)"
    static let insert = "INSERT INTO t (i, s, b, n, o, required) VALUES (?, ?, ?, ?, ?, ?)"

    func withDatabase(_ body: (DatabaseQueue) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("direct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("t.sqlite").path)
        try queue.write { try $0.execute(sql: Self.schema) }
        try body(queue)
    }

    /// Each row's columns as SQLite holds them: type and text.
    func contents(_ db: Database) throws -> [[String]] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT typeof(i), quote(i), typeof(s), hex(s), typeof(b), quote(b), typeof(n), typeof(o), quote(o),
                    hex(required) FROM t ORDER BY rowid
                """
        ).map { row in (0..<10).map { row[$0] as String } }
    }

    @Test func bindsEachValueAsGRDBDoes() throws {
        let rows: [(Int64, String, Bool, String?, Int?, String)] = [
            (Int64.max, "", true, nil, 7, "x"), (Int64.min, "ünïcödé ✓ \u{1F4DF}", false, "n", nil, ""),
            (0, String(repeating: "long ", count: 100), true, "", -1, "'quoted' \"text\""),
            // GRDB binds a string as a C string: the store holds it up to its first NUL.
            (1, "a\0b", false, "\0", 2, "x\0y"),
        ]
        try withDatabase { queue in
            let viaGRDB = try queue.write { db -> [[String]] in
                for row in rows {
                    try db.execute(sql: Self.insert, arguments: [row.0, row.1, row.2, row.3, row.4, row.5])
                }
                defer { try? db.execute(sql: "DELETE FROM t") }
                return try contents(db)
            }
            let direct = try queue.write { db -> [[String]] in
                var statement = try DirectStatement(db, sql: Self.insert)
                for row in rows {
                    statement.bind(row.0)
                    statement.bind(row.1)
                    statement.bind(row.2)
                    statement.bind(row.3)
                    statement.bind(row.4)
                    statement.bind(row.5)
                    try statement.run()
                }
                return try contents(db)
            }
            #expect(direct.count == 4)
            #expect(direct == viaGRDB)
            // The empty string is text, not NULL.
            #expect(direct[0][2] == "text" && direct[0][3] == "")
            #expect(direct[3][3] == "61" && direct[3][9] == "78")
        }
    }

    /// Labels bound as JSON and fingerprints as hex from the statement's reused buffer store what GRDB stores for
    /// `jsonText` and `description`, row after row (a shorter value after a longer one leaves nothing behind).
    @Test func labelsAndFingerprintsBindAsTheirText() throws {
        let labelSets: [Labels] = [
            ["alertname": "DiskFull", "instance": String(repeating: "host-", count: 60)], [:],
            ["a": "1"], ["q": "\"quoted\" \\ back", "ctl": "\u{01}\u{1F}\t\n\r\u{08}\u{0C}", "nul": "a\0b"],
            ["ü": "ünïcödé ✓ \u{1F4DF}", "empty": ""],
        ]
        let fingerprints: [Fingerprint] = [
            Fingerprint(rawValue: 0), Fingerprint(rawValue: .max), Fingerprint(rawValue: 0xA),
            Fingerprint(rawValue: 0x0123_4567_89AB_CDEF), Labels(["alertname": "DiskFull"]).fingerprint,
        ]
        try withDatabase { queue in
            let viaGRDB = try queue.write { db -> [[String]] in
                for (labels, fingerprint) in zip(labelSets, fingerprints) {
                    try db.execute(
                        sql: Self.insert, arguments: [1, labels.jsonText, true, nil, nil, fingerprint.description])
                }
                defer { try? db.execute(sql: "DELETE FROM t") }
                return try contents(db)
            }
            let direct = try queue.write { db -> [[String]] in
                var statement = try DirectStatement(db, sql: Self.insert)
                for (labels, fingerprint) in zip(labelSets, fingerprints) {
                    statement.bind(1)
                    statement.bind(json: labels)
                    statement.bind(true)
                    statement.bind(nil as String?)
                    statement.bind(nil as Int?)
                    statement.bind(fingerprint)
                    try statement.run()
                }
                return try contents(db)
            }
            #expect(direct.count == labelSets.count)
            #expect(direct == viaGRDB)
            // The text is the whole JSON (a NUL in a value is written as an escape) and the 16 digits.
            let stored = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT s || '|' || required FROM t ORDER BY rowid")
            }
            #expect(stored == zip(labelSets, fingerprints).map { "\($0.jsonText)|\($1)" })
            #expect(stored[1] == "{}|ffffffffffffffff" && stored[3].hasSuffix("|0123456789abcdef"))
            #expect(stored[3].contains(#""nul":"a\u0000b""#))
        }
    }

    @Test func aFailedStepThrowsAndTheStatementRunsAgain() throws {
        try withDatabase { queue in
            try queue.write { db in
                var statement = try DirectStatement(db, sql: Self.insert)
                for value in [Int64(1), 2, 3, 4, 5] { statement.bind(value) }
                statement.bindNull()
                #expect {
                    try statement.run()
                } throws: { error in
                    (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
                }
                // The same cached statement, through this type and through GRDB.
                var again = try DirectStatement(db, sql: Self.insert)
                for value in [Int64(1), 2, 3, 4, 5] { again.bind(value) }
                again.bind("fine")
                try again.run()
                try db.cachedStatement(sql: Self.insert).execute(arguments: [1, "s", true, nil, nil, "also fine"])
                #expect(try String.fetchAll(db, sql: "SELECT required FROM t ORDER BY rowid") == ["fine", "also fine"])
            }
        }
    }

    /// GRDB resets a statement before it runs it, not after: one it ran last is still stepped, and SQLite refuses
    /// bindings to it. The delivery's timeline line and the commit's share their SQL; without the reset, every
    /// commit after a page failed ("cannot bind a value").
    @Test func aStatementGRDBRanLastTakesBindings() throws {
        try withDatabase { queue in
            try queue.write { db in
                try db.cachedStatement(sql: Self.insert).execute(arguments: [1, "s", true, nil, nil, "by GRDB"])
                var statement = try DirectStatement(db, sql: Self.insert)
                for value in [Int64(1), 2, 3, 4, 5] { statement.bind(value) }
                statement.bind("direct")
                try statement.run()
                try db.cachedStatement(sql: Self.insert).execute(arguments: [1, "s", true, nil, nil, "by GRDB again"])
                #expect(
                    try String.fetchAll(db, sql: "SELECT required FROM t ORDER BY rowid")
                        == ["by GRDB", "direct", "by GRDB again"])
            }
        }
    }

    /// A value left out is an error, not the last run's value still bound.
    @Test func tooFewValuesAreRefused() throws {
        try withDatabase { queue in
            try queue.write { db in
                var statement = try DirectStatement(db, sql: Self.insert)
                for value in [Int64(1), 2, 3, 4, 5] { statement.bind(value) }
                statement.bind("full")
                try statement.run()
                statement.bind(Int64(9))
                #expect {
                    try statement.run()
                } throws: { error in
                    (error as? DatabaseError)?.resultCode == .SQLITE_MISUSE
                }
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 1)
            }
        }
    }
}
