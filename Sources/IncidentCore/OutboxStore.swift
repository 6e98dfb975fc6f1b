/// The outbox as the delivery service uses it: settle a row and its timeline line at once, and say when the
/// next attempt falls due so the service can sleep until then.
public protocol OutboxStore: Sendable {
    /// Settles rows in one transaction: each pending row moves as its `settlement` says and its `line` is
    /// appended to its incident's timeline, so the record of an attempt and the attempt's outcome cannot
    /// disagree after a crash. A row cancelled while its attempt ran is settled without error (see
    /// `NotificationCancellation`): the attempt is recorded, and the row is neither retried nor handed to its
    /// fallback. Any other row that is no longer pending gets its error in the result (same position) and the
    /// others are settled; any other failure throws and settles none.
    func settle(_ items: [OutboxSettlementItem]) async throws -> [(any Error)?]
    /// Whether the row is still pending: an acknowledgement may have cancelled it since it was read, and then
    /// it must not be sent.
    func isPending(outbox id: Int64) async throws -> Bool
    /// The earliest `next_attempt` among pending rows, or nil when none is pending.
    func nextOutboxAttempt() async throws -> Timestamp?
    /// What an attempt of row `id` needs, read together just before it: nil when the row is no longer pending
    /// (as `isPending`) or was attempted since the copy the caller holds was taken (its attempts are no longer
    /// `attempts`: a stale copy must not attempt again, ahead of the retry's backoff), else its incident and that
    /// incident's latest alert (as `incident(_:)` and `latestAlert(of:)`).
    func attemptContext(outbox id: Int64, attempts: Int, incident: Int) async throws -> OutboxAttemptContext?
}

/// The incident and the alert a page shows, read with the check that its row is still pending.
public struct OutboxAttemptContext: Sendable, Hashable {
    public var incident: Incident?
    public var latestAlert: AlertSnapshot?

    public init(incident: Incident?, latestAlert: AlertSnapshot?) {
        self.incident = incident
        self.latestAlert = latestAlert
    }
}

/// One delivery outcome to record: the row, what happened to it, and its timeline line.
public struct OutboxSettlementItem: Sendable {
    public var entry: OutboxEntry
    public var settlement: OutboxSettlement
    public var line: TimelineEntry

    public init(entry: OutboxEntry, settlement: OutboxSettlement, line: TimelineEntry) {
        self.entry = entry
        self.settlement = settlement
        self.line = line
    }
}
