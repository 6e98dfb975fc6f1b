import IncidentCore

/// Filters of `GET /api/v1/incidents`.
public struct IncidentQuery: Sendable, Hashable {
    /// Empty means the active ones (open and acknowledged).
    public var states: Set<IncidentState>
    public var kind: IncidentKind?
    public var priority: Priority?
    public var limit: Int

    public init(states: Set<IncidentState> = [], kind: IncidentKind? = nil, priority: Priority? = nil, limit: Int = 500)
    {
        self.states = states
        self.kind = kind
        self.priority = priority
        self.limit = limit
    }
}
