/// The outbox as the delivery service uses it: settle a row and its timeline line at once, and say when the
/// next attempt falls due so the service can sleep until then.
public protocol OutboxStore: Sendable {
    /// Moves a pending row as `settlement` says and appends `line` to its incident's timeline, in one
    /// transaction: the record of an attempt and the attempt's outcome cannot disagree after a crash.
    func settle(_ entry: OutboxEntry, _ settlement: OutboxSettlement, line: TimelineEntry) async throws
    /// Settles several rows in one transaction, each as `settle(_:_:line:)` does. A row that is no longer
    /// pending gets its error in the result (same position) and the others are settled; any other failure
    /// throws and settles none.
    func settle(_ items: [OutboxSettlementItem]) async throws -> [(any Error)?]
    /// The earliest `next_attempt` among pending rows, or nil when none is pending.
    func nextOutboxAttempt() async throws -> Timestamp?
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

extension OutboxStore {
    /// One transaction per row, for stores that have no cheaper way.
    public func settle(_ items: [OutboxSettlementItem]) async throws -> [(any Error)?] {
        var results: [(any Error)?] = []
        for item in items {
            do {
                try await settle(item.entry, item.settlement, line: item.line)
                results.append(nil)
            } catch {
                results.append(error)
            }
        }
        return results
    }
}
