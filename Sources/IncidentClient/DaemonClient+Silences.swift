import Foundation
import IncidentCore

extension DaemonClient {
    /// `GET /api/v2/silences`.
    public func silences() async throws(DaemonClientError) -> APIResponse<[GettableSilence]> {
        try await call(.get, "/api/v2/silences", decoding: [GettableSilence].self)
    }

    /// `POST /api/v2/silences`: the new (or updated) silence's id.
    public func addSilence(_ silence: PostableSilence) async throws(DaemonClientError) -> String {
        struct Answer: Decodable { var silenceID: String }
        return try await call(.post, "/api/v2/silences", body: silence, decoding: Answer.self).value.silenceID
    }

    /// `DELETE /api/v2/silence/{id}?by=`.
    public func expireSilence(id: String, by person: String) async throws(DaemonClientError) {
        _ = try await send(.delete, "/api/v2/silence/\(Self.escape(id))?by=\(Self.escape(person))", body: nil)
    }

    /// `GET /api/v1/oncall?at=&schedule=`.
    public func onCall(at time: Timestamp?, schedule: String?) async throws(DaemonClientError)
        -> APIResponse<OnCallReport>
    {
        var items: [String] = []
        if let time { items.append("at=\(Self.escape(time.rfc3339))") }
        if let schedule { items.append("schedule=\(Self.escape(schedule))") }
        let path = "/api/v1/oncall" + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        return try await call(.get, path, decoding: OnCallReport.self)
    }
}
