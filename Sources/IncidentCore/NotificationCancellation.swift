/// Pages that must not go out any more: an acknowledgement, resolve or close stopped the escalation steps
/// they belong to (SPEC §7: a step runs `while: unacknowledged` by default, and "Acknowledge stops it").
///
/// The engine names the steps whose `while:` no longer holds; it does not know which of their pages are still
/// queued, so the store cancels what is pending among them, in the transaction that records the change of
/// state, and writes a timeline line for each row it cancels. Lifecycle messages (`on: [ack]` and the like)
/// are never among them: they tell of the change itself.
public struct NotificationCancellation: Sendable, Hashable {
    /// One step of one policy, as outbox rows record it.
    public struct Step: Sendable, Hashable {
        public var policy: String
        public var step: Int

        public init(policy: String, step: Int) {
            self.policy = policy
            self.step = step
        }
    }

    public var incident: Int
    /// Every policy's steps that stop, not only the current policy's: a priority change may have switched
    /// policies while the old one's pages were still retrying.
    public var steps: [Step]
    /// When the state changed. Only rows due by then are cancelled: a page the engine queues later (a held step
    /// released when the acknowledgement lapses) is not one this change stopped.
    public var at: Timestamp
    /// Why, for the timeline: `acknowledged by ann`, `resolved: all 2 alerts resolved`.
    public var reason: String

    public init(incident: Int, steps: [Step], at: Timestamp, reason: String) {
        self.incident = incident
        self.steps = steps
        self.at = at
        self.reason = reason
    }
}
