import Foundation
import IncidentConfig
import IncidentRules
import Testing

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

/// `http.status_page` and `http.auth` (SPEC §14): the users file, the trusted proxy header, session lengths.
@Suite struct HTTPAuthConfigurationTests {
    func load(_ http: String) throws -> (Configuration.LoadResult, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incidentd-auth-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("incidentd.yaml").path
        try "rules: [r]\nhttp:\n\(http)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return (Configuration.load(path: path), (directory.path as NSString).standardizingPath)
    }

    @Test func defaults() throws {
        let (loaded, directory) = try load("  control_socket: c.sock")
        let http = try #require(loaded.configuration?.http)
        #expect(!http.statusPagePublic)
        #expect(http.auth.usersFile == directory + "/users")
        #expect(http.auth.trustedHeader == nil)
        #expect(http.auth.sessionIdle == .seconds(12 * 3600))
        #expect(http.auth.sessionMax == .seconds(7 * 86_400))
        #expect(Configuration().http.auth.usersFile == "/etc/incidentd/users")
    }

    @Test func theAuthKeysAreRead() throws {
        let (loaded, directory) = try load(
            """
              status_page: public
              auth:
                users_file: web/users
                trusted_header: X-Remote-User
                trusted_proxies: [127.0.0.1, "::1", 10.0.0.0/8, "fd00::/8"]
                session_idle: 30m
                session_max: 1d
            """)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let http = try #require(loaded.configuration?.http)
        #expect(http.statusPagePublic)
        #expect(http.auth.usersFile == directory + "/web/users")
        #expect(http.auth.trustedHeader == "X-Remote-User")
        #expect(http.auth.trustedProxies == ["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"])
        #expect(http.auth.sessionIdle == .seconds(1800))
        #expect(http.auth.sessionMax == .seconds(86_400))
    }

    @Test func aTrustedHeaderNeedsTrustedProxies() throws {
        let (loaded, _) = try load("  auth:\n    trusted_header: X-Remote-User")
        #expect(loaded.diagnostics.map(\.code) == ["proxies-required"])
        #expect(loaded.diagnostics.first?.message.contains("trusted_proxies") == true)
        let (empty, _) = try load("  auth:\n    trusted_header: X-Remote-User\n    trusted_proxies: []")
        #expect(empty.diagnostics.map(\.code) == ["proxies-required"])
    }

    @Test(arguments: [
        "  status_page: open", "  auth:\n    trusted_header: 'X Remote'", "  auth:\n    trusted_header: 'X-User:'",
        "  auth:\n    trusted_header: X-Remote-User\n    trusted_proxies: [proxy.example.org]",
        "  auth:\n    trusted_header: X-Remote-User\n    trusted_proxies: [10.0.0.1/8]",
        "  auth:\n    session_idle: soon", "  auth:\n    nonsense: 1",
    ])
    func badValuesAreErrors(_ http: String) throws {
        let (loaded, _) = try load(http)
        #expect(loaded.configuration == nil)
        #expect(loaded.diagnostics.count == 1, "\(loaded.diagnostics)")
    }
}
