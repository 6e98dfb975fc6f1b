/// The body of every error response: `{"error": message, "code": code}`.
struct ErrorBody: Codable, Sendable {
    var error: String
    var code: String
}
