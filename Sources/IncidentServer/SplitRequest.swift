import Foundation
import IncidentCore

/// The body of `POST /api/v1/incidents/{id}/split`: `{"alert": "0123456789abcdef", "by": "ana"}` (SPEC §13).
struct SplitRequest: Decodable, Sendable {
    /// The alert's fingerprint as `show` lists it: 16 hex digits.
    var alert: String
    /// Who splits; required, because both timelines record it.
    var by: String

    enum CodingKeys: String, CodingKey { case alert, by }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alert = try c.decodeIfPresent(String.self, forKey: .alert) ?? ""
        by = try c.decodeIfPresent(String.self, forKey: .by) ?? ""
    }

    /// Decodes a body and the alert's fingerprint; 400 with what is missing or wrong.
    static func decode(_ data: Data) throws -> (alert: Fingerprint, by: String) {
        guard !data.isEmpty else {
            throw APIError(.badRequest, "the body is empty: send {\"alert\": FINGERPRINT, \"by\": NAME}")
        }
        let request = try JSONDecoder().decode(SplitRequest.self, from: data)
        guard request.alert.utf8.count == 16, let fingerprint = Fingerprint(hex: request.alert) else {
            throw APIError(
                .badRequest,
                "alert '\(request.alert)' is not a fingerprint: 16 hex digits, as `incidentctl show` lists them")
        }
        guard !request.by.allSatisfy(\.isWhitespace) else {
            throw APIError(.badRequest, "by is required: who splits, e.g. {\"by\": \"ana\"}")
        }
        return (fingerprint, request.by)
    }
}
