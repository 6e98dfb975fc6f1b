import IncidentCore
import Synchronization

/// The web sessions, in memory (a restart signs everyone out). A session ends after `idle` without a request or
/// `absolute` after sign-in, whichever comes first; past `maxSessions` the oldest is dropped, so a flood of
/// sign-ins cannot exhaust memory.
public final class SessionStore: Sendable {
    public let idle: Duration
    public let absolute: Duration
    public let maxSessions: Int
    let now: @Sendable () -> Timestamp
    let sessions = Mutex([String: Session]())

    public init(
        idle: Duration = .seconds(12 * 3600), absolute: Duration = .seconds(7 * 86_400), maxSessions: Int = 10_000,
        now: @escaping @Sendable () -> Timestamp
    ) {
        self.idle = idle
        self.absolute = absolute
        self.maxSessions = max(1, maxSessions)
        self.now = now
    }

    /// Starts a session for `user` with fresh random tokens.
    public func create(user: String, role: Role) -> Session {
        let time = now()
        let session = Session(
            token: Self.randomToken(), csrfToken: Self.randomToken(), user: user, role: role, createdAt: time,
            lastSeen: time)
        sessions.withLock { sessions in
            if sessions.count >= maxSessions {
                sessions = sessions.filter { !isExpired($0.value, at: time) }
            }
            while sessions.count >= maxSessions, let oldest = sessions.values.min(by: Self.older) {
                sessions[oldest.token] = nil
            }
            sessions[session.token] = session
        }
        return session
    }

    /// The live session with this token, its `lastSeen` moved to now; nil (and the session removed) when it has
    /// expired or never existed.
    public func session(token: String) -> Session? {
        let time = now()
        return sessions.withLock { sessions in
            guard var session = sessions[token] else { return nil }
            guard !isExpired(session, at: time) else {
                sessions[token] = nil
                return nil
            }
            session.lastSeen = max(session.lastSeen, time)
            sessions[token] = session
            return session
        }
    }

    /// Signs the session out.
    public func end(token: String) {
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }

    /// Signs out every session of `user`: for when the account is removed or its role or password changes.
    public func endAll(user: String) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.user != user } }
    }

    /// How many sessions are held (expired ones included until they are looked up or crowded out).
    public var count: Int { sessions.withLock { $0.count } }

    /// Whether the account behind `session` still exists in `directory` with the same role. When it does not,
    /// end the user's sessions (`endAll`) and send the browser to sign in again. Sessions made from a trusted
    /// proxy's header have no account in the file; do not check those here.
    public func validate(_ session: Session, against directory: UserDirectory) -> Bool {
        directory.account(named: session.user)?.role == session.role
    }

    func isExpired(_ session: Session, at time: Timestamp) -> Bool {
        time >= session.lastSeen + idle || time >= session.createdAt + absolute
    }

    static func older(_ a: Session, _ b: Session) -> Bool {
        (a.createdAt, a.token) < (b.createdAt, b.token)
    }

    /// 32 bytes from the system's secure generator, base64url without padding (43 characters).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return Base64URL.encode(bytes)
    }
}
