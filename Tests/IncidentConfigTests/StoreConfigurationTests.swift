import Foundation
import IncidentConfig
import IncidentRules
import Testing

/// `store:` in incidentd.yaml: SQLite by default, or PostgreSQL by URL with the password in a file (SPEC §15).
@Suite struct StoreConfigurationTests {
    func load(_ store: String) throws -> Configuration.LoadResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incidentd-store-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("incidentd.yaml").path
        try "rules: [r]\nstore:\n\(store)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return Configuration.load(path: path)
    }

    @Test func aPostgreSQLStoreIsReadWithItsPasswordFileResolved() throws {
        let loaded = try load("  postgres: { url: 'postgres://incidentd@db1/incidentd', password_file: pgpass }")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        guard case .postgres(let url, let passwordFile)? = loaded.configuration?.store else {
            Issue.record("not a PostgreSQL store: \(String(describing: loaded.configuration?.store))")
            return
        }
        #expect(url == "postgres://incidentd@db1/incidentd")
        #expect(passwordFile?.hasSuffix("/pgpass") == true, "resolved against the config's directory")
        #expect(loaded.configuration?.sqlitePath == nil)
    }

    @Test func aBadURLIsAnErrorThatSaysWhy() throws {
        let loaded = try load("  postgres: { url: 'mysql://incidentd@db1/incidentd' }")
        #expect(loaded.diagnostics.map(\.code) == ["invalid"])
        #expect(loaded.diagnostics.first?.message.contains("postgres://") == true)
    }

    @Test func aPasswordInTheURLIsAWarning() throws {
        let loaded = try load("  postgres: { url: 'postgres://incidentd:hunter2@db1/incidentd' }")
        #expect(loaded.diagnostics.map(\.code) == ["secret"])
        #expect(loaded.diagnostics.first?.severity == .warning)
        #expect(loaded.diagnostics.first?.message.contains("hunter2") == false, "the warning does not repeat it")
    }
}
