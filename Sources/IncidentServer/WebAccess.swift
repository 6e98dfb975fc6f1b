import IncidentAccess
import IncidentCore

/// Who may use the web pages and how they prove it (SPEC §14): the users file, the sessions and their CSRF
/// tokens, the login throttle, and the reverse proxy trusted to name the user in a header.
public struct WebAccess: Sendable {
    public let users: UserDirectory
    public let sessions: SessionStore
    public let throttle: LoginThrottle
    /// `http.auth.trusted_header` (e.g. `X-Remote-User`), honoured only from `trustedProxies`.
    public let trustedHeader: String?
    public let trustedProxies: TrustedProxies
    /// `http.status_page: public`: `/status` without signing in.
    public let statusPublic: Bool

    public init(
        users: UserDirectory, sessions: SessionStore, throttle: LoginThrottle, trustedHeader: String? = nil,
        trustedProxies: TrustedProxies, statusPublic: Bool = false
    ) {
        self.users = users
        self.sessions = sessions
        self.throttle = throttle
        self.trustedHeader = trustedHeader
        self.trustedProxies = trustedProxies
        self.statusPublic = statusPublic
    }

    /// No users file, no proxy, a private status page: only the control socket reaches the console.
    public static func closed(now: @escaping @Sendable () -> Timestamp) throws -> WebAccess {
        WebAccess(
            users: UserDirectory(path: nil), sessions: SessionStore(now: now), throttle: LoginThrottle(now: now),
            trustedProxies: try TrustedProxies([]))
    }
}
