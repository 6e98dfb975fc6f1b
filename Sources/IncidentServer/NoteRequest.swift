import Foundation

/// The body of `POST /api/v1/incidents/{id}/notes`: `{"by": "ana", "text": "..."}`.
struct NoteRequest: Decodable, Sendable {
    var by: String
    var text: String

    enum CodingKeys: String, CodingKey { case by, text }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        by = try c.decodeIfPresent(String.self, forKey: .by) ?? ""
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
    }

    /// Decodes a body; 400 with what is missing.
    static func decode(_ data: Data) throws -> NoteRequest {
        guard !data.isEmpty else {
            throw APIError(.badRequest, "the body is empty: send {\"by\": NAME, \"text\": TEXT}")
        }
        let request = try JSONDecoder().decode(NoteRequest.self, from: data)
        guard !request.by.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "by is required: who writes the note, e.g. {\"by\": \"ana\"}")
        }
        guard !request.text.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "text is required: the note itself")
        }
        return request
    }
}
