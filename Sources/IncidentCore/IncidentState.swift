/// Where an incident is in its lifecycle (ITIL: logged → investigated → resolved → closed).
public enum IncidentState: String, Sendable, Hashable, Codable, CaseIterable {
    case open
    case acknowledged
    case resolved
    case closed

    /// A lifecycle action a person or the engine can take.
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case acknowledge = "ack"
        case resolve
        case reopen
        case close
        /// The engine's own: an acknowledgement older than the policy's `ack_timeout` lapses.
        case ackTimeout = "ack_timeout"
    }

    /// The state an action leads to from this one, or nil when the action is not allowed here.
    ///
    /// Closed is final: once an incident is closed, a new alert opens a new incident. An incident may be
    /// closed straight from open or acknowledged (a false alarm), and it resolves on the way.
    public func applying(_ action: Action) -> IncidentState? {
        switch (self, action) {
        case (.open, .acknowledge): .acknowledged
        case (.open, .resolve), (.acknowledged, .resolve): .resolved
        case (.resolved, .reopen): .open
        case (.open, .close), (.acknowledged, .close), (.resolved, .close): .closed
        case (.acknowledged, .ackTimeout): .open
        default: nil
        }
    }

    /// Whether the incident still needs someone: open or acknowledged.
    public var isActive: Bool { self == .open || self == .acknowledged }
}
