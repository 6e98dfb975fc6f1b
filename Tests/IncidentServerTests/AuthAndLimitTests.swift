import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

@Suite struct AuthAndLimitTests {
    static let token = TestServer.token

    @Test func tcpWithoutTheTokenIs401WithAChallenge() async throws {
        try await TestServer.with(token: Self.token) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents", tcp: true, withToken: false)
            #expect(reply.status == 401)
            #expect(reply.json["code"] as? String == "unauthorized")
            #expect(reply.headers["WWW-Authenticate"].first == "Bearer realm=\"incidentd\"")
        }
    }

    @Test(arguments: [
        "Bearer wrong", "Bearer \(TestServer.token)-and-more", "Bearer \(TestServer.token.dropLast())",
        "Basic czNjcmV0", "",
    ])
    func tcpWithAWrongTokenIs401(header: String) async throws {
        try await TestServer.with(token: Self.token) { server in
            let reply = try await server.request(
                .POST, "/api/v2/alerts", body: Fixtures.prometheusAlerts, tcp: true,
                headers: [("Authorization", header)])
            #expect(reply.status == 401)
            #expect(await server.api.ingested.isEmpty)
        }
    }

    @Test(arguments: ["Bearer \(TestServer.token)", "bearer \(TestServer.token)"])
    func tcpWithTheTokenIsServed(header: String) async throws {
        try await TestServer.with(token: Self.token) { server in
            let reply = try await server.request(
                .POST, "/api/v2/alerts", body: Fixtures.prometheusAlerts, tcp: true,
                headers: [("Authorization", header)])
            #expect(reply.status == 200)
        }
    }

    @Test func theControlSocketNeedsNoToken() async throws {
        try await TestServer.with(token: Self.token) { server async throws in
            #expect(try await server.request(.GET, "/api/v1/incidents").status == 200)
            #expect(try await server.request(.GET, "/metrics").status == 200)
        }
    }

    @Test func healthzNeedsNoTokenOnTCP() async throws {
        try await TestServer.with(token: Self.token) { server async throws in
            #expect(try await server.request(.GET, "/healthz", tcp: true, withToken: false).status == 200)
            #expect(try await server.request(.GET, "/readyz", tcp: true, withToken: false).status == 401)
            #expect(try await server.request(.GET, "/metrics", tcp: true, withToken: false).status == 401)
        }
    }

    @Test func aTokenFileNewlineIsNotPartOfTheToken() async throws {
        try await TestServer.with(token: Self.token + "\n") { server in
            let reply = try await server.request(
                .GET, "/api/v1/incidents", tcp: true, headers: [("Authorization", "Bearer \(Self.token)")])
            #expect(reply.status == 200)
        }
    }

    /// DNS rebinding and browser CSRF: the listener answers only requests naming it by address, from no other
    /// site, whatever token they carry.
    @Test(arguments: [
        [("Host", "evil.example")], [("Host", "127.evil.example:80")], [("Host", "localhost.evil.example")],
        [("Origin", "http://evil.example")], [("Origin", "null")], [("Origin", "http://127.0.0.1:1")],
        [("Sec-Fetch-Site", "cross-site")],
    ])
    func foreignHostsAndOriginsAre403(headers: [(String, String)]) async throws {
        try await TestServer.with { server in
            let reply = try await server.request(
                .POST, "/api/v2/alerts", body: Fixtures.prometheusAlerts, tcp: true, headers: headers)
            #expect(reply.status == 403, "\(headers)")
            #expect(reply.json["code"] as? String == "forbidden")
            #expect(await server.api.ingested.isEmpty)
        }
    }

    @Test func theListenersOwnAddressLocalhostAndASameOriginAreServed() async throws {
        try await TestServer.with { server in
            let port = server.port!
            for headers in [
                [("Origin", "http://127.0.0.1:\(port)")], [("Host", "localhost:\(port)")], [("Host", "localhost")],
                [("Sec-Fetch-Site", "same-origin")],
            ] {
                let reply = try await server.request(.GET, "/api/v1/incidents", tcp: true, headers: headers)
                #expect(reply.status == 200, "\(headers)")
            }
        }
    }

    @Test func theControlSocketChecksNoHostOrOrigin() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(
                .GET, "/api/v1/incidents", headers: [("Origin", "http://evil.example")])
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: [false, true])
    func aBodyOverTheLimitIs413(streamed: Bool) async throws {
        try await TestServer.with(maxBodyBytes: 64 * 1024) { server in
            var big = Data("[".utf8)
            while big.count < 512 * 1024 {
                big.append(contentsOf: Data(#"{"labels":{"alertname":"Big"}},"#.utf8))
            }
            big.append(contentsOf: Data(#"{"labels":{"alertname":"Big"}}]"#.utf8))
            let reply = try await server.request(.POST, "/api/v2/alerts", bytes: big, tcp: true, streamed: streamed)
            #expect(reply.status == 413)
            #expect(reply.json["code"] as? String == "payload_too_large")
            #expect((reply.json["error"] as? String)?.contains("limits.max_payload_bytes") == true)
            #expect(await server.api.ingested.isEmpty)
            // The connection and the server stay usable.
            #expect(try await server.request(.GET, "/healthz", tcp: true).status == 200)
        }
    }

    @Test func aBodyAtTheLimitIsAccepted() async throws {
        let body = Fixtures.prometheusAlerts
        try await TestServer.with(maxBodyBytes: body.utf8.count) { server in
            let reply = try await server.request(.POST, "/api/v2/alerts", body: body)
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: [
        ("Bearer abc", "abc", true), ("bearer abc", "abc", true), ("BEARER abc", "abc", true),
        ("Bearer abd", "abc", false), ("Bearer ab", "abc", false), ("Bearer abcd", "abc", false),
        ("abc", "abc", false), ("", "abc", false),
    ])
    func theTokenComparison(header: String, token: String, matches: Bool) {
        #expect(BearerTokenMiddleware.matches(header, BearerTokenMiddleware(token: token).expected) == matches)
    }
}
