/// The outbox as the delivery service uses it: settle a row and its timeline line at once, and say when the
/// next attempt falls due so the service can sleep until then.
public protocol OutboxStore: Sendable {
    /// Moves a pending row as `settlement` says and appends `line` to its incident's timeline, in one
    /// transaction: the record of an attempt and the attempt's outcome cannot disagree after a crash.
    func settle(_ entry: OutboxEntry, _ settlement: OutboxSettlement, line: TimelineEntry) async throws
    /// The earliest `next_attempt` among pending rows, or nil when none is pending.
    func nextOutboxAttempt() async throws -> Timestamp?
}
