import IncidentCore

/// A signed-in browser: the cookie's token, the CSRF token its forms carry, who and with what role.
public struct Session: Sendable, Hashable {
    /// The session cookie's value: 32 random bytes, base64url without padding.
    public let token: String
    /// The token every form of this session must carry (compare with `constantTimeEquals`).
    public let csrfToken: String
    public let user: String
    public let role: Role
    public let createdAt: Timestamp
    /// The last request made with this session; idle expiry counts from here.
    public var lastSeen: Timestamp

    public init(token: String, csrfToken: String, user: String, role: Role, createdAt: Timestamp, lastSeen: Timestamp) {
        self.token = token
        self.csrfToken = csrfToken
        self.user = user
        self.role = role
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }
}
