/// What a commit wrote that its caller acts on without reading it back.
public struct CommitReport: Sendable {
    /// The events' ids, in the batch's order.
    public var eventIDs: [Int64]
    /// The outbox rows the batch queued and left pending, as the store now holds them, in queueing order. Rows
    /// the store already had (the same notifier and idempotency key) are not among them. Nil when the store does
    /// not say (a cancellation in the same batch may have touched them, or the store cannot tell): the delivery
    /// reads the outbox instead.
    public var queued: [OutboxEntry]?

    public init(eventIDs: [Int64], queued: [OutboxEntry]?) {
        self.eventIDs = eventIDs
        self.queued = queued
    }
}
