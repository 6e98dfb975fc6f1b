import IncidentAccess

/// The person a web request acts for, and how that was established.
struct WebIdentity: Sendable {
    enum Origin: Sendable {
        /// The control Unix socket: its file mode is its protection; admin.
        case controlSocket
        /// A session cookie from the sign-in form.
        case session
        /// The trusted reverse proxy's header (with a session made for the CSRF token).
        case proxy
    }

    var name: String
    var role: Role
    var csrf: String
    var origin: Origin
    /// Set when a session was made for this request: the cookie to send with the response.
    var newSessionToken: String?

    /// Viewers, operators and admin read the console; reporters only use the portal.
    var readsConsole: Bool { role != .reporter }
    /// Operators and admin change things.
    var acts: Bool { role == .operator || role == .admin }
}
