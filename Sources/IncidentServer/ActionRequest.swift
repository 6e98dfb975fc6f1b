import Foundation

/// The body of `POST /api/v1/incidents/{id}/{ack,resolve,close,reopen}`: `{"by": "ana", "note": "..."}`.
struct ActionRequest: Decodable, Sendable {
    /// Who acts; required, because the timeline records it.
    var by: String
    /// Why, for the timeline; optional (an empty note counts as none).
    var note: String?

    enum CodingKeys: String, CodingKey { case by, note }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        by = try c.decodeIfPresent(String.self, forKey: .by) ?? ""
        note = try c.decodeIfPresent(String.self, forKey: .note).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Decodes a body; 400 with what is missing.
    static func decode(_ data: Data) throws -> ActionRequest {
        guard !data.isEmpty else {
            throw APIError(.badRequest, "the body is empty: send {\"by\": NAME, \"note\": TEXT}")
        }
        let request = try JSONDecoder().decode(ActionRequest.self, from: data)
        guard !request.by.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "by is required: who takes the action, e.g. {\"by\": \"ana\"}")
        }
        return request
    }
}
