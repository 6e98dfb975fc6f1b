import Foundation
import Testing

@testable import IncidentRules

/// `http:` in incidentd.yaml: every TCP listener needs a token file, and names no host by name.
@Suite struct HTTPConfigurationTests {
    func load(_ http: String) throws -> Configuration.LoadResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incidentd-http-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("incidentd.yaml").path
        try "rules: [r]\nhttp:\n\(http)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return Configuration.load(path: path)
    }

    @Test(arguments: ["127.0.0.1:9097", "'[::1]:9097'", "0.0.0.0:9097"])
    func aListenerWithoutATokenFileIsAnError(listen: String) throws {
        let loaded = try load("  listen: \(listen)")
        #expect(loaded.diagnostics.map(\.code) == ["token-required"])
        #expect(loaded.diagnostics.first?.message.contains("head -c 32 /dev/urandom") == true)
    }

    @Test(arguments: ["localhost:9097", "127.evil.example:9097", "ops.example.com:9097"])
    func aListenerNamingAHostIsAnError(listen: String) throws {
        let loaded = try load("  listen: \(listen)\n  token_file: t")
        #expect(loaded.diagnostics.map(\.code) == ["bad-value"])
        #expect(loaded.diagnostics.first?.message.contains("IP address") == true)
    }

    @Test func theTCPKeysAreRead() throws {
        let loaded = try load(
            "  listen: 127.0.0.1:9097\n  token_file: t\n  allowed_hosts: [incidents.example]\n"
                + "  max_connections: 32\n  idle_timeout: 15s")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let http = try #require(loaded.configuration?.http)
        #expect(http.allowedHosts == ["incidents.example"])
        #expect(http.maxConnections == 32)
        #expect(http.idleTimeout == .seconds(15))
        #expect(http.tokenFile?.hasSuffix("/t") == true)
    }
}
