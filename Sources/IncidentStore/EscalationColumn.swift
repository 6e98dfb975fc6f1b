import IncidentCore

/// The `incidents.escalation` JSON object: `{"policy", "step", "round", "next_at"}`, times in microseconds.
struct EscalationColumn: Codable {
    var policy: String
    var step: Int?
    var round: Int
    var nextAt: Int64?

    enum CodingKeys: String, CodingKey {
        case policy, step, round
        case nextAt = "next_at"
    }

    init(_ escalation: Incident.Escalation) {
        policy = escalation.policy
        step = escalation.step
        round = escalation.round
        nextAt = escalation.nextAt?.microseconds
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        // Explicit nulls: the column reads the same in the sqlite3 shell whether or not a step is set.
        try c.encode(step, forKey: .step)
        try c.encode(round, forKey: .round)
        try c.encode(nextAt, forKey: .nextAt)
    }

    /// What `JSONEncoder` with `.sortedKeys` writes, without its cost (one per incident change).
    var jsonText: String {
        "{\"next_at\":\(nextAt.map(String.init) ?? "null"),\"policy\":\(Labels.jsonString(policy)),"
            + "\"round\":\(round),\"step\":\(step.map(String.init) ?? "null")}"
    }

    var escalation: Incident.Escalation {
        Incident.Escalation(policy: policy, step: step, round: round, nextAt: nextAt.map(Timestamp.init(microseconds:)))
    }
}
