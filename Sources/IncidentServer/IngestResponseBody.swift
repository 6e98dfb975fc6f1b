import IncidentCore

/// The 200 of an ingest route: `{"status": "success", "accepted": N, "incidents": ["INC-3"]}`. `status` is what
/// Alertmanager's own API answers, for clients that look at it.
struct IngestResponseBody: Encodable, Sendable {
    var status = "success"
    var accepted: Int
    var incidents: [String]

    init(_ receipt: IngestReceipt) {
        accepted = receipt.accepted
        incidents = receipt.incidents
    }
}
