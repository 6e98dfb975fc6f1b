/// Where the spool source finds the positions (`spool:NAME`) committed with its files' events, and prunes them.
///
/// The daemon's is its SQLite store; the positions themselves are written by the sink, in the same transaction
/// as the events.
public protocol SpoolPositionStore: Sendable {
    /// The committed position under `key`, nil when there is none. A throw counts as the store being
    /// unavailable: the file stays in `new/`.
    func position(_ key: String) async throws -> String?
    /// Every committed position whose key starts with `prefix`, by key.
    func positions(withPrefix prefix: String) async throws -> [String: String]
    /// Deletes each position whose stored value is still the one given (a position committed again meanwhile
    /// stays); returns how many were deleted.
    func forget(_ positions: [String: String]) async throws -> Int
}
