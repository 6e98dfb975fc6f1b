import Foundation
import IncidentCore

/// The body of `POST /api/v1/incidents/{id}/merge`: `{"into": "INC-1", "by": "ana"}` (SPEC §13).
struct MergeRequest: Decodable, Sendable {
    /// The incident the merged one joins, as `INC-7` or `7`.
    var into: String
    /// Who merges; required, because both timelines record it.
    var by: String

    enum CodingKeys: String, CodingKey { case into, by }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        into = try c.decodeIfPresent(String.self, forKey: .into) ?? ""
        by = try c.decodeIfPresent(String.self, forKey: .by) ?? ""
    }

    /// Decodes a body and the target's number; 400 with what is missing or wrong.
    static func decode(_ data: Data) throws -> (target: Int, by: String) {
        guard !data.isEmpty else {
            throw APIError(.badRequest, "the body is empty: send {\"into\": \"INC-1\", \"by\": NAME}")
        }
        let request = try JSONDecoder().decode(MergeRequest.self, from: data)
        guard !request.into.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "into is required: the incident to merge into, e.g. {\"into\": \"INC-1\"}")
        }
        guard let target = Incident.number(from: request.into) else {
            throw APIError(.badRequest, "into '\(request.into)' is not an incident id: ids look like INC-7 (or 7)")
        }
        guard !request.by.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "by is required: who merges, e.g. {\"by\": \"ana\"}")
        }
        return (target, request.by)
    }
}
