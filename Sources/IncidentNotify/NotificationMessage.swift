import IncidentCore

/// The `json` payload: the incident as SPEC §8 shows it, the event that made it page, and which notification
/// this is. The file notifier writes the same object as one line, the exec notifier feeds it on stdin.
struct NotificationMessage {
    struct About {
        var key: String
        var notifier: String
        var trigger: String
        var policy: String
        var step: Int?
        var round: Int?
        var due: String
        var attempt: Int
        /// The person paged (SPEC §12), null for a notifier named directly.
        var user: String?
    }

    var incident: Incident?
    var event: AlertSnapshot?
    var notification: About

    init(_ request: DeliveryRequest) {
        let n = request.notification
        incident = request.incident
        event = request.event
        notification = About(
            key: request.idempotencyKey, notifier: n.notifier, trigger: request.trigger, policy: n.policy,
            step: n.moment == nil ? n.step : nil, round: n.moment == nil ? n.round : nil, due: n.due.rfc3339,
            attempt: request.attempt, user: n.user)
    }

    /// The body `PayloadRenderer.json` sends: what `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes` writes for the incident and alert through their `Encodable` conformances (the
    /// API's), written directly: the encoder was 8% of the daemon's CPU in a burst of pages.
    /// `NotificationJSONTests` hold the two to the same bytes.
    var json: [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.object { w in
            w.key("event")
            w.optional(event) { w, event in event.writeJSON(to: &w) }
            w.key("incident")
            w.optional(incident) { w, incident in incident.writeJSON(to: &w) }
            w.key("notification")
            w.object { w in
                let n = notification
                w.member("attempt", n.attempt)
                w.member("due", n.due)
                w.member("idempotency_key", n.key)
                w.member("notifier", n.notifier)
                w.member("policy", n.policy)
                w.member("round", n.round)
                w.member("step", n.step)
                w.member("trigger", n.trigger)
                w.member("user", n.user)
            }
        }
        return w.bytes
    }
}
