/// `GET /readyz`: `{"ready": bool, "problems": {part: text}, "details": {part: text}}`.
struct ReadinessBody: Encodable, Sendable {
    var ready: Bool
    var problems: [String: String]
    var details: [String: String]
}
