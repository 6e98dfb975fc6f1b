/// A source could not start or keep running; says what was wrong, where, and what the operator can do.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, for the daemon to report (a setup error stops the start).
    public enum Code: String, Sendable, Hashable {
        /// The socket path is taken by something that is not a stale socket.
        case socketPathInUse = "socket_path_in_use"
        /// The Unix socket could not be bound or given its mode.
        case socketBindFailed = "socket_bind_failed"
        /// The spool directory or one of its subdirectories could not be created or read.
        case spoolDirectory = "spool_directory"
        /// The inotify watch on the spool's new/ directory could not be set up.
        case spoolWatchFailed = "spool_watch_failed"
        /// The journal (local, or `sources.journal.directory`) could not be opened or read.
        case journalUnavailable = "journal_unavailable"
        /// The source stopped before it was ready.
        case stopped
    }

    /// What kind of failure this is.
    public var code: Code
    /// The socket or directory path concerned.
    public var path: String
    /// A full sentence for the operator: what was wrong, where, and what to do.
    public var message: String

    /// Makes an error; `message` is shown to the operator as it is.
    public init(_ code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// The code and the message, for logs.
    public var description: String { "\(code.rawValue): \(message)" }
}
