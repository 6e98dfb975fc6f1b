/// What the socket source has done so far, for `STATUS=` and metrics.
public struct SocketSourceCounters: Sendable, Hashable {
    /// Client connections open now.
    public var connectionsOpen: Int
    /// Client connections accepted since start.
    public var connectionsAccepted: Int
    /// Lines answered with `"ok":true` (committed).
    public var linesAccepted: Int
    /// Lines answered with `"ok":false` (refused by the decoder, too long, or not committed).
    public var linesFailed: Int
    /// Connections closed at once because `max_connections` were open.
    public var connectionsRefused: Int

    /// Counts, all zero by default.
    public init(
        connectionsOpen: Int = 0, connectionsAccepted: Int = 0, linesAccepted: Int = 0, linesFailed: Int = 0,
        connectionsRefused: Int = 0
    ) {
        self.connectionsOpen = connectionsOpen
        self.connectionsAccepted = connectionsAccepted
        self.linesAccepted = linesAccepted
        self.linesFailed = linesFailed
        self.connectionsRefused = connectionsRefused
    }
}
