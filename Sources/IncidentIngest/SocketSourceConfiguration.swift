/// Where and how the socket source listens (`sources.socket` in incidentd.yaml).
public struct SocketSourceConfiguration: Sendable, Hashable {
    /// The Unix socket's path; a stale socket there is replaced, anything else is an error.
    public var path: String
    /// The socket file's permission bits (`mode: "0660"`).
    public var mode: UInt16
    /// The longest line taken, without its newline; a longer one is refused and skipped (`max_line_bytes`).
    public var maxLineBytes: Int
    /// How many lines of one connection may wait for their commit before the source stops reading it.
    public var maxPendingLines: Int
    /// Connections served at once (`max_connections`); one more is closed as soon as it is accepted, so that a
    /// flood of idle clients cannot take every file descriptor the spool and the store need.
    public var maxConnections: Int

    /// The defaults are those of incidentd.yaml.
    public init(
        path: String, mode: UInt16 = 0o660, maxLineBytes: Int = 1_048_576, maxPendingLines: Int = 4096,
        maxConnections: Int = 1024
    ) {
        self.path = path
        self.mode = mode
        self.maxLineBytes = maxLineBytes
        self.maxPendingLines = maxPendingLines
        self.maxConnections = maxConnections
    }
}
