/// How one delivery attempt leaves an outbox row: the only ways a row moves, recorded together with the
/// timeline line that tells the operator about it.
public enum OutboxSettlement: Sendable, Hashable {
    /// The notifier accepted the message: the row is never handed out again.
    case delivered(at: Timestamp, detail: String)
    /// The attempt failed and another is due at `nextAttempt`.
    case retry(error: String, nextAttempt: Timestamp)
    /// No more attempts: the row is given up and, when the notifier names one, `fallback` is queued instead
    /// (under the same idempotency key, so a fallback cycle ends at the first notifier already tried).
    case failed(error: String, fallback: Notification?)
}
