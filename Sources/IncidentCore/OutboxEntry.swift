/// One queued page in the store's outbox: the notification and how its delivery stands.
public struct OutboxEntry: Sendable, Hashable {
    /// Where a delivery stands: waiting (perhaps after failed attempts), done, given up, or cancelled because
    /// the incident was acknowledged, resolved or closed before it went out (`NotificationCancellation`).
    public enum State: String, Sendable, Hashable, CaseIterable {
        case pending
        case delivered
        case failed
        case cancelled
    }

    /// The store's row id, which the delivery layer hands back to record the outcome.
    public var id: Int64
    public var notification: Notification
    public var state: State
    public var attempts: Int
    /// When the next attempt may be made; the notification's `due` until an attempt fails.
    public var nextAttempt: Timestamp
    public var lastError: String?
    public var deliveredAt: Timestamp?

    public init(
        id: Int64, notification: Notification, state: State, attempts: Int, nextAttempt: Timestamp,
        lastError: String?, deliveredAt: Timestamp?
    ) {
        self.id = id
        self.notification = notification
        self.state = state
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }

    /// The key the notifier is sent; see `Notification.idempotencyKey`.
    public var idempotencyKey: String { notification.idempotencyKey }
}
