import Foundation
import IncidentConfig
import IncidentRules
import TestSupport
import Testing

/// Config files an attacker or an accident could produce, and mistakes YAML itself hides: each gives a
/// diagnostic with its position, and nothing hangs or crashes.
@Suite("hostile and broken config files")
struct ConfigurationFileTests {
    /// In a scratch directory removed when the test process exits.
    static func write(_ text: String, name: String) throws -> String {
        try ScratchDirectory.file("hostile", name: name, text: text)
    }

    @Test(arguments: HostileYAML.cases)
    func aConfigFileGetsDiagnostics(_ name: String, _ text: String, _ code: String) throws {
        let path = try Self.write(text, name: "incidentd.yaml")
        let result = Configuration.load(path: path)
        #expect(result.configuration == nil, "\(name)")
        #expect(result.diagnostics.contains { $0.severity == .error }, "\(name)")
    }

    @Test func duplicateKeyInTheConfigFileToo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incidentd-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("incidentd.yaml").path
        try "state_dir: /tmp/a\nrules: [r]\nstate_dir: /tmp/b\n".write(toFile: path, atomically: true, encoding: .utf8)
        let d = Configuration.load(path: path).diagnostics
        #expect(d.map(\.code) == ["duplicate-key"])
        #expect(d.first?.line == 3)
        #expect(d.first?.column == 1)
    }
}
