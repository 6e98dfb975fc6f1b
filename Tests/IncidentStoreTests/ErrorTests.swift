import Foundation
import GRDB
import IncidentCore
import IncidentStore
import Testing

@Suite struct ErrorTests {
    @Test func aFileThatIsNotADatabaseIsNamedAndExplained() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incidentd.sqlite"
            let text = String(repeating: "this is a rules file, not a database\n", count: 200)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(error.code == .notADatabase)
            #expect(error.store == path)
            #expect(error.message.contains(path))
            #expect(error.message.contains("not a SQLite database"))
            #expect(error.message.contains("store.sqlite.path"))
        }
    }

    @Test func aDirectoryThatCannotBeCreatedIsNamed() async throws {
        try await withTemporaryDirectory { directory in
            // A regular file where the directory should be: creating it fails even for root.
            let blocker = directory + "/state"
            try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
            let path = blocker + "/incidentd.sqlite"
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(error.code == .cannotCreateDirectory)
            #expect(error.message.contains(blocker))
            #expect(error.message.contains("writable"))
        }
    }

    @Test func aSchemaFromANewerBuildIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incidentd.sqlite"
            try SQLiteStore(path: path).close()
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
            try queue.close()
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(error.code == .schemaTooNew)
            #expect(error.message.contains(path))
            #expect(error.message.contains("newer incidentd"))
        }
    }

    @Test func aDamagedRowIsReportedNotCrashedOn() async throws {
        try await withStore { store, path in
            _ = try await store.commit(StoreBatch(incidents: [bareIncident(3)], at: t(0)))
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in try db.execute(sql: "UPDATE incidents SET kind = 'meteor' WHERE number = 3") }
            try queue.close()
            await #expect {
                _ = try await store.incident(3)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .corrupt && error.message.contains("incidents.kind: meteor")
            }
        }
    }
}
