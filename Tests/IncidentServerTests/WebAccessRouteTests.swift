import Foundation
import IncidentAccess
import IncidentCore
import Testing

@testable import IncidentServer

/// The web pages' access rules over real sockets (SPEC §14): sign-in with the form's own token, sessions in
/// HttpOnly SameSite=Strict cookies, CSRF on every form, roles, the throttle, the trusted proxy header, the
/// public status page, and the acting person on every change.
@Suite struct WebAccessRouteTests {
    /// A users file with one user of each role (bcrypt cost 4: fast in tests, the format is the same).
    static func access(statusPublic: Bool = false, trustedHeader: String? = nil, proxies: [String] = [])
        throws -> (WebAccess, String)
    {
        let directory = TestServer.makeDirectory()
        let path = directory + "/users"
        try UsersFile.save(
            [
                UserAccount(name: "alice", role: .operator, passwordHash: PasswordHash.make("alice-pw", cost: 4)),
                UserAccount(name: "victor", role: .viewer, passwordHash: PasswordHash.make("victor-pw", cost: 4)),
                UserAccount(name: "rita", role: .reporter, passwordHash: PasswordHash.make("rita-pw", cost: 4)),
            ], path: path)
        let now: @Sendable () -> Timestamp = { Fixtures.now }
        return (
            WebAccess(
                users: UserDirectory(path: path), sessions: SessionStore(now: now), throttle: LoginThrottle(now: now),
                trustedHeader: trustedHeader, trustedProxies: try TrustedProxies(proxies), statusPublic: statusPublic),
            directory
        )
    }

    static func with(
        statusPublic: Bool = false, trustedHeader: String? = nil, proxies: [String] = [],
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let (access, directory) = try access(statusPublic: statusPublic, trustedHeader: trustedHeader, proxies: proxies)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestServer.with(
            api: FakeIncidentAPI([Fixtures.incident(1), Fixtures.incident(2, state: .acknowledged)]), webAccess: access,
            body)
    }

    /// The value of cookie `name` among a reply's Set-Cookie headers, and the whole header.
    static func cookie(_ reply: TestServer.Reply, _ name: String) -> (value: String, header: String)? {
        for header in reply.headers["Set-Cookie"] where header.hasPrefix(name + "=") {
            let value = header.dropFirst(name.count + 1).prefix { $0 != ";" }
            return (String(value), header)
        }
        return nil
    }

    /// The value of the first `name="_csrf" value="…"` in a page.
    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static let formType = ("Content-Type", "application/x-www-form-urlencoded")

    /// Signs in through the form and returns the session cookie.
    static func signIn(_ server: TestServer, _ user: String, _ password: String) async throws -> String {
        let page = try await server.request(.GET, "/login", tcp: true, withToken: false)
        let token = try #require(cookie(page, WebRoutes.loginCookie)?.value)
        #expect(csrf(page.text) == token)
        let reply = try await server.request(
            .POST, "/login", body: form([("_csrf", token), ("user", user), ("password", password), ("next", "")]),
            tcp: true, headers: [formType, ("Cookie", "\(WebRoutes.loginCookie)=\(token)")], withToken: false)
        #expect(reply.status == 303)
        return try #require(cookie(reply, WebRoutes.sessionCookie)?.value)
    }

    @Test func aPageWithoutASessionSendsToTheSignInForm() async throws {
        try await Self.with { server in
            let reply = try await server.request(.GET, "/?state=all", tcp: true, withToken: false)
            #expect(reply.status == 303)
            #expect(reply.headers["Location"].first == "/login?next=%2F%3Fstate%3Dall")
        }
    }

    @Test func signInSetsAStrictHttpOnlySessionAndTheListShowsIncidents() async throws {
        try await Self.with { server in
            let page = try await server.request(.GET, "/login", tcp: true, withToken: false)
            let token = try #require(Self.cookie(page, WebRoutes.loginCookie)?.value)
            let reply = try await server.request(
                .POST, "/login",
                body: Self.form([("_csrf", token), ("user", "alice"), ("password", "alice-pw"), ("next", "/oncall")]),
                tcp: true, headers: [Self.formType, ("Cookie", "\(WebRoutes.loginCookie)=\(token)")], withToken: false)
            #expect(reply.status == 303)
            #expect(reply.headers["Location"].first == "/oncall")
            let session = try #require(Self.cookie(reply, WebRoutes.sessionCookie))
            #expect(session.header.contains("HttpOnly") && session.header.contains("SameSite=Strict"))
            let list = try await server.request(
                .GET, "/", tcp: true, headers: [("Cookie", "\(WebRoutes.sessionCookie)=\(session.value)")],
                withToken: false)
            #expect(list.status == 200)
            #expect(list.text.contains("INC-1") && list.text.contains("INC-2"))
            #expect(list.headers["Content-Security-Policy"].first?.hasPrefix("default-src 'self'") == true)
            #expect(list.headers["X-Frame-Options"].first == "DENY")
        }
    }

    @Test func aWrongPasswordOrAMissingFormTokenSignsNobodyIn() async throws {
        try await Self.with { server in
            let page = try await server.request(.GET, "/login", tcp: true, withToken: false)
            let token = try #require(Self.cookie(page, WebRoutes.loginCookie)?.value)
            let wrong = try await server.request(
                .POST, "/login", body: Self.form([("_csrf", token), ("user", "alice"), ("password", "nope")]),
                tcp: true, headers: [Self.formType, ("Cookie", "\(WebRoutes.loginCookie)=\(token)")], withToken: false)
            #expect(wrong.status == 401)
            #expect(wrong.text.contains("Wrong user name or password."))
            #expect(Self.cookie(wrong, WebRoutes.sessionCookie) == nil)
            let forged = try await server.request(
                .POST, "/login", body: Self.form([("_csrf", "forged"), ("user", "alice"), ("password", "alice-pw")]),
                tcp: true, headers: [Self.formType, ("Cookie", "\(WebRoutes.loginCookie)=\(token)")], withToken: false)
            #expect(forged.status == 403)
            #expect(Self.cookie(forged, WebRoutes.sessionCookie) == nil)
        }
    }

    @Test func failedSignInsAreThrottledWithRetryAfter() async throws {
        try await Self.with { server in
            let page = try await server.request(.GET, "/login", tcp: true, withToken: false)
            let token = try #require(Self.cookie(page, WebRoutes.loginCookie)?.value)
            var statuses: [Int] = []
            var last: TestServer.Reply?
            for password in ["a", "b", "c", "d", "e", "alice-pw"] {
                let reply = try await server.request(
                    .POST, "/login", body: Self.form([("_csrf", token), ("user", "alice"), ("password", password)]),
                    tcp: true, headers: [Self.formType, ("Cookie", "\(WebRoutes.loginCookie)=\(token)")],
                    withToken: false)
                statuses.append(reply.status)
                last = reply
            }
            // The right password after five wrong ones is refused too, until the window passes.
            #expect(statuses == [401, 401, 401, 401, 401, 429])
            #expect(Int(last?.headers["Retry-After"].first ?? "") ?? 0 > 0)
            #expect(Self.cookie(last!, WebRoutes.sessionCookie) == nil)
        }
    }

    @Test func actionsNeedTheSessionsFormTokenAndRecordWhoActed() async throws {
        try await Self.with { server in
            let session = try await Self.signIn(server, "alice", "alice-pw")
            let cookie = ("Cookie", "\(WebRoutes.sessionCookie)=\(session)")
            let page = try await server.request(.GET, "/incidents/1", tcp: true, headers: [cookie], withToken: false)
            let token = try #require(Self.csrf(page.text))
            for body in ["", Self.form([("_csrf", "wrong")])] {
                let refused = try await server.request(
                    .POST, "/incidents/1/ack", body: body, tcp: true, headers: [Self.formType, cookie],
                    withToken: false)
                #expect(refused.status == 403)
            }
            #expect(await server.api.details[1]?.incident.state == .open)
            let done = try await server.request(
                .POST, "/incidents/1/ack", body: Self.form([("_csrf", token)]), tcp: true,
                headers: [Self.formType, cookie], withToken: false)
            #expect(done.status == 303)
            #expect(done.headers["Location"].first == "/incidents/1?done=ack")
            #expect(await server.api.details[1]?.incident.state == .acknowledged)
            #expect(await server.api.details[1]?.incident.acknowledgedBy == "alice")
        }
    }

    @Test func aCrossSiteFormIsRefusedEvenWithTheToken() async throws {
        try await Self.with { server in
            let session = try await Self.signIn(server, "alice", "alice-pw")
            let cookie = ("Cookie", "\(WebRoutes.sessionCookie)=\(session)")
            let page = try await server.request(.GET, "/incidents/1", tcp: true, headers: [cookie], withToken: false)
            let token = try #require(Self.csrf(page.text))
            let reply = try await server.request(
                .POST, "/incidents/1/ack", body: Self.form([("_csrf", token)]), tcp: true,
                headers: [Self.formType, cookie, ("Origin", "https://evil.example")], withToken: false)
            #expect(reply.status == 403)
            #expect(await server.api.details[1]?.incident.state == .open)
        }
    }

    @Test func viewersReadButDoNotActAndReportersOnlyUseThePortal() async throws {
        try await Self.with { server in
            let viewer = (
                "Cookie", "\(WebRoutes.sessionCookie)=\(try await Self.signIn(server, "victor", "victor-pw"))"
            )
            let page = try await server.request(.GET, "/incidents/1", tcp: true, headers: [viewer], withToken: false)
            #expect(page.status == 200)
            #expect(!page.text.contains("/incidents/1/ack"))
            let token = try #require(Self.csrf(page.text))
            let ack = try await server.request(
                .POST, "/incidents/1/ack", body: Self.form([("_csrf", token)]), tcp: true,
                headers: [Self.formType, viewer], withToken: false)
            #expect(ack.status == 403)
            #expect(await server.api.details[1]?.incident.state == .open)

            let reporter = ("Cookie", "\(WebRoutes.sessionCookie)=\(try await Self.signIn(server, "rita", "rita-pw"))")
            #expect(try await server.request(.GET, "/", tcp: true, headers: [reporter], withToken: false).status == 403)
            #expect(
                try await server.request(.GET, "/incidents/1", tcp: true, headers: [reporter], withToken: false).status
                    == 403)
            #expect(
                try await server.request(.GET, "/portal", tcp: true, headers: [reporter], withToken: false).status
                    == 200)
        }
    }

    @Test func theStatusPageIsPublicOnlyWhenConfigured() async throws {
        try await Self.with(statusPublic: false) { server async throws in
            #expect(try await server.request(.GET, "/status", tcp: true, withToken: false).status == 303)
        }
        try await Self.with(statusPublic: true) { server async throws in
            let reply = try await server.request(.GET, "/status", tcp: true, withToken: false)
            #expect(reply.status == 200)
            #expect(!reply.text.contains("db1") && !reply.text.contains("INC-"))
            // Public does not open anything else.
            #expect(try await server.request(.GET, "/", tcp: true, withToken: false).status == 303)
        }
    }

    @Test func theProxyHeaderCountsOnlyFromATrustedProxy() async throws {
        try await Self.with(trustedHeader: "X-Remote-User", proxies: ["127.0.0.0/8"]) { server async throws in
            let reply = try await server.request(
                .GET, "/", tcp: true, headers: [("X-Remote-User", "alice")], withToken: false)
            #expect(reply.status == 200)
            #expect(reply.text.contains("alice"))
            #expect(Self.cookie(reply, WebRoutes.sessionCookie) != nil)
        }
        try await Self.with(trustedHeader: "X-Remote-User", proxies: ["10.0.0.1"]) { server async throws in
            let reply = try await server.request(
                .GET, "/", tcp: true, headers: [("X-Remote-User", "alice")], withToken: false)
            #expect(reply.status == 303)
        }
    }

    @Test func theControlSocketIsAdminWithoutSigningIn() async throws {
        try await Self.with { server in
            let reply = try await server.request(.GET, "/incidents/1")
            #expect(reply.status == 200)
            #expect(reply.text.contains("/incidents/1/ack"))
            let done = try await server.request(.POST, "/incidents/1/ack", body: "", headers: [Self.formType])
            #expect(done.status == 303)
            #expect(await server.api.details[1]?.incident.acknowledgedBy == "admin")
        }
    }
}
