import IncidentCore

/// `incidentctl list --state --kind --priority`, checked and turned into the query of `GET /api/v1/incidents`.
public struct IncidentFilter: Sendable, Hashable {
    /// Empty: the active ones (open, acknowledged). `all` expands to every state.
    public var states: [IncidentState]
    public var kind: IncidentKind?
    public var priority: Priority?

    public init(states: [IncidentState] = [], kind: IncidentKind? = nil, priority: Priority? = nil) {
        self.states = states
        self.kind = kind
        self.priority = priority
    }

    /// Parses the command-line values; the error names the valid ones.
    public init(state: String?, kind: String?, priority: String?) throws(UsageError) {
        self.init()
        if let state, !state.isEmpty {
            if state == "all" {
                states = IncidentState.allCases
            } else {
                for name in state.split(separator: ",") {
                    guard let value = IncidentState(rawValue: String(name)) else {
                        let valid = IncidentState.allCases.map(\.rawValue) + ["all"]
                        throw UsageError("--state '\(name)' is not one of \(valid.joined(separator: ", "))")
                    }
                    if !states.contains(value) { states.append(value) }
                }
            }
        }
        if let kind {
            guard let value = IncidentKind(rawValue: kind) else {
                throw UsageError(
                    "--kind '\(kind)' is not one of \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.kind = value
        }
        if let priority {
            guard let value = Priority(rawValue: priority.uppercased()) else {
                let valid = Priority.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError("--priority '\(priority)' is not one of \(valid)")
            }
            self.priority = value
        }
    }

    /// The path and query: `/api/v1/incidents?state=open,resolved&kind=outage`.
    public var path: String {
        var items: [String] = []
        if !states.isEmpty { items.append("state=" + states.map(\.rawValue).joined(separator: ",")) }
        if let kind { items.append("kind=\(kind.rawValue)") }
        if let priority { items.append("priority=\(priority.rawValue)") }
        return "/api/v1/incidents" + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }
}
