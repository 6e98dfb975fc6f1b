import IncidentCore

/// An alert in Alertmanager's GettableAlert shape (`GET /api/v2/alerts`, and inside alert groups).
struct GettableAlertBody: Encodable, Sendable {
    struct Receiver: Encodable, Sendable {
        var name: String
    }

    struct Status: Encodable, Sendable {
        var state: String
        var silencedBy: [String]
        var inhibitedBy: [String]
        var mutedBy: [String]
    }

    var labels: [String: String]
    var annotations: [String: String]
    var fingerprint: String
    var startsAt: String
    var updatedAt: String
    var endsAt: String
    var generatorURL: String
    var receivers: [Receiver]
    var status: Status

    /// Go's zero time, which Alertmanager writes for a time it does not have: an alert that waits for a resolve
    /// has no end.
    static let zeroTime = "0001-01-01T00:00:00Z"

    init(_ routed: RoutedAlert) {
        let alert = routed.alert
        labels = alert.labels.dictionary
        annotations = alert.annotations.dictionary
        fingerprint = alert.fingerprint.description
        startsAt = alert.startsAt.rfc3339
        updatedAt = alert.updatedAt.rfc3339
        endsAt = alert.endsAt?.rfc3339 ?? Self.zeroTime
        generatorURL = alert.generatorURL ?? ""
        receivers = [Receiver(name: routed.receiver)]
        let muted = alert.silencedBy.isEmpty && alert.inhibitedBy.isEmpty
        status = Status(
            state: muted ? "active" : "suppressed", silencedBy: alert.silencedBy, inhibitedBy: alert.inhibitedBy,
            mutedBy: [])
    }
}
