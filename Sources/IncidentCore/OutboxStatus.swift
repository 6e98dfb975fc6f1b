/// The outbox at a glance: what is waiting and how late the latest-waiting due row is.
public struct OutboxStatus: Sendable, Hashable {
    /// Rows not yet delivered or given up.
    public var pending: Int
    /// The earliest `due` among pending rows already due (retrying ones included); nil when none is.
    public var oldestDue: Timestamp?

    public init(pending: Int, oldestDue: Timestamp?) {
        self.pending = pending
        self.oldestDue = oldestDue
    }
}
