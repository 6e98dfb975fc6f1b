/// The `incidents.escalation` JSON object: `{"policy", "step", "round", "next_at"}`, times in microseconds. Both
/// stores keep it as this text, so `incidentctl store copy` moves it as it is.
public struct EscalationColumn: Codable, Sendable {
    public var policy: String
    public var step: Int?
    public var round: Int
    public var nextAt: Int64?

    enum CodingKeys: String, CodingKey {
        case policy, step, round
        case nextAt = "next_at"
    }

    public init(_ escalation: Incident.Escalation) {
        policy = escalation.policy
        step = escalation.step
        round = escalation.round
        nextAt = escalation.nextAt?.microseconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        // Explicit nulls: the column reads the same in the sqlite3 shell whether or not a step is set.
        try c.encode(step, forKey: .step)
        try c.encode(round, forKey: .round)
        try c.encode(nextAt, forKey: .nextAt)
    }

    /// What `JSONEncoder` with `.sortedKeys` writes, without its cost (one per incident change).
    public var jsonText: String {
        "{\"next_at\":\(nextAt.map(String.init) ?? "null"),\"policy\":\(Labels.jsonString(policy)),"
            + "\"round\":\(round),\"step\":\(step.map(String.init) ?? "null")}"
    }

    public var escalation: Incident.Escalation {
        Incident.Escalation(policy: policy, step: step, round: round, nextAt: nextAt.map(Timestamp.init(microseconds:)))
    }
}
