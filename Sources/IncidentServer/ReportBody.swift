import IncidentCore

/// `GET /api/v1/report`: `{"since": RFC 3339, "lines": [...], "total": N}`, lines by priority then kind.
struct ReportBody: Encodable, Sendable {
    var since: String
    var lines: [ReportLine]
    var total: Int
}
