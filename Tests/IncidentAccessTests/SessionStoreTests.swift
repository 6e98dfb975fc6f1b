import Foundation
import Testing

@testable import IncidentAccess

@Suite struct SessionStoreTests {
    @Test func tokensAreRandomBase64URL() {
        let store = SessionStore(now: TestClock().now)
        let session = store.create(user: "alice", role: .operator)
        #expect(session.token.count == 43)
        #expect(session.csrfToken.count == 43)
        #expect(session.token != session.csrfToken)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(session.token.allSatisfy(allowed.contains))
        #expect(store.session(token: session.token)?.user == "alice")
        #expect(store.session(token: "nope") == nil)
    }

    @Test func base64URLMatchesFoundation() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
        }
    }

    @Test func idleExpiryIsPushedBackByUse() {
        let clock = TestClock()
        let store = SessionStore(idle: .seconds(60), absolute: .seconds(3600), now: clock.now)
        let session = store.create(user: "alice", role: .viewer)
        clock.advance(.seconds(59))
        #expect(store.session(token: session.token) != nil)
        clock.advance(.seconds(59))
        #expect(store.session(token: session.token)?.lastSeen == clock.now())
        clock.advance(.seconds(60))
        #expect(store.session(token: session.token) == nil)
        #expect(store.count == 0)
    }

    @Test func absoluteExpiryHoldsEvenWhenBusy() {
        let clock = TestClock()
        let store = SessionStore(idle: .seconds(60), absolute: .seconds(300), now: clock.now)
        let session = store.create(user: "alice", role: .viewer)
        for _ in 0..<9 {
            clock.advance(.seconds(30))
            #expect(store.session(token: session.token) != nil)
        }
        clock.advance(.seconds(30))
        #expect(store.session(token: session.token) == nil)
    }

    @Test func theOldestIsEvictedPastTheCap() {
        let clock = TestClock()
        let store = SessionStore(maxSessions: 3, now: clock.now)
        var sessions: [Session] = []
        for index in 0..<5 {
            sessions.append(store.create(user: "u\(index)", role: .viewer))
            clock.advance(.seconds(1))
        }
        #expect(store.count == 3)
        #expect(store.session(token: sessions[0].token) == nil)
        #expect(store.session(token: sessions[1].token) == nil)
        #expect(store.session(token: sessions[4].token) != nil)
    }

    @Test func endAndEndAll() {
        let store = SessionStore(now: TestClock().now)
        let a1 = store.create(user: "alice", role: .viewer)
        let a2 = store.create(user: "alice", role: .viewer)
        let b = store.create(user: "bob", role: .viewer)
        store.end(token: b.token)
        #expect(store.session(token: b.token) == nil)
        #expect(store.session(token: a1.token) != nil)
        store.endAll(user: "alice")
        #expect(store.session(token: a1.token) == nil)
        #expect(store.session(token: a2.token) == nil)
    }

    @Test func validateChecksTheAccountAndRole() throws {
        let dir = try scratchDirectory()
        let path = dir + "/users"
        try UsersFile.save([UserAccount(name: "alice", role: .operator, passwordHash: Hashes.secret)], path: path)
        let directory = UserDirectory(path: path, defaultCost: 4)
        let store = SessionStore(now: TestClock().now)
        let session = store.create(user: "alice", role: .operator)
        #expect(store.validate(session, against: directory))
        try UsersFile.save([UserAccount(name: "alice", role: .viewer, passwordHash: Hashes.secret)], path: path)
        #expect(!store.validate(session, against: directory))
        try UsersFile.save([], path: path)
        #expect(!store.validate(session, against: directory))
    }

    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abd", false), ("abc", "ab", false), ("", "", true), ("", "a", false),
        ("é", "é", true),
    ])
    func constantTimeCompare(_ a: String, _ b: String, _ equal: Bool) {
        #expect(constantTimeEquals(a, b) == equal)
        #expect(constantTimeEquals(b, a) == equal)
    }
}
