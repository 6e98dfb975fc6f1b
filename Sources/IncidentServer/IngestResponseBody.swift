import IncidentCore

/// The 200 of an ingest route: `{"status": "success", "accepted": N, "incidents": ["INC-3"]}`. `status` is what
/// Alertmanager's own API answers, for clients that look at it.
struct IngestResponseBody: Sendable {
    var status = "success"
    var accepted: Int
    var incidents: [String]

    init(_ receipt: IngestReceipt) {
        accepted = receipt.accepted
        incidents = receipt.incidents
    }

    /// The reply to every ingest request, written without `JSONEncoder` (`IngestRouteTests` holds it to the
    /// encoder's bytes).
    var json: [UInt8] {
        var w = JSONWriter(capacity: 64 + incidents.count * 12)
        w.object { w in
            w.member("accepted", accepted)
            w.key("incidents")
            w.strings(incidents)
            w.member("status", status)
        }
        return w.bytes
    }
}
