/// `GET /readyz`: ready when every part is.
public struct Readiness: Sendable, Hashable {
    /// Per part (`store`, `socket`, `spool`, `journal`, `escalation`) that is not fine: what is wrong.
    public var problems: [String: String]
    /// Per part: how it is doing (counts, positions), shown whether ready or not.
    public var details: [String: String]

    public init(problems: [String: String] = [:], details: [String: String] = [:]) {
        self.problems = problems
        self.details = details
    }

    /// Whether no part has a problem.
    public var isReady: Bool { problems.isEmpty }
}
