import Hummingbird
import IncidentCore

extension IncidentQuery {
    /// The most incidents one request returns.
    static let maximumLimit = 10_000

    /// Reads `state` (comma-separated, or `all`), `kind`, `priority` (`P2` or `p2`) and `limit`; 400 naming the
    /// valid values for anything else.
    init(parameters: Parameters) throws {
        self.init()
        if let text = parameters.get("state"), !text.isEmpty {
            if text == "all" {
                states = Set(IncidentState.allCases)
            } else {
                for name in text.split(separator: ",", omittingEmptySubsequences: true) {
                    guard let state = IncidentState(rawValue: String(name)) else {
                        let valid = IncidentState.allCases.map(\.rawValue) + ["all"]
                        throw APIError(
                            .badRequest,
                            "state '\(name)' is not one of \(valid.joined(separator: ", ")) (comma-separate several)")
                    }
                    states.insert(state)
                }
            }
        }
        if let text = parameters.get("kind"), !text.isEmpty {
            guard let value = IncidentKind(rawValue: text) else {
                let valid = IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.badRequest, "kind '\(text)' is not one of \(valid)")
            }
            kind = value
        }
        if let text = parameters.get("priority"), !text.isEmpty {
            guard let value = Priority(rawValue: text.uppercased()) else {
                let valid = Priority.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.badRequest, "priority '\(text)' is not one of \(valid)")
            }
            priority = value
        }
        if let text = parameters.get("limit"), !text.isEmpty {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw APIError(.badRequest, "limit '\(text)' must be a number from 1 to \(Self.maximumLimit)")
            }
            limit = value
        }
    }
}
