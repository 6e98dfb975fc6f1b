/// A store could not do what was asked; says which store, what went wrong and what the operator can do.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react differently (retry, refuse to start, report a bug).
    public enum Code: String, Sendable, Hashable {
        /// The directory for the store could not be created.
        case cannotCreateDirectory = "cannot_create_directory"
        /// The store could not be opened or written (permissions, read-only file system).
        case cannotOpen = "cannot_open"
        /// The file exists but is not a database.
        case notADatabase = "not_a_database"
        /// The schema was written by a newer build that this one does not know.
        case schemaTooNew = "schema_too_new"
        /// The store is damaged.
        case corrupt
        /// Another process holds the store locked for too long.
        case busy
        /// The disk is full.
        case diskFull = "disk_full"
        /// A write broke one of the store's rules (a bug in the caller); nothing of it was written.
        case constraint
        /// The outbox row does not exist or has already been delivered or given up.
        case notPending = "not_pending"
        /// The database server cannot be reached or closed the connection (PostgreSQL); retrying may succeed.
        case unavailable
        /// This instance led a shared store, and another leads now (a newer term): its writes are refused.
        case deposed
        /// Any other failure of the database.
        case other
    }

    public var code: Code
    /// The store's file or address.
    public var store: String
    /// A full sentence for the operator: what was wrong, where, and what to do.
    public var message: String

    public init(_ code: Code, store: String, message: String) {
        self.code = code
        self.store = store
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
