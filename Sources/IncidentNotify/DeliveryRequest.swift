import IncidentCore

/// One attempt to deliver one outbox row: the row's notification and what the store knows about its incident.
public struct DeliveryRequest: Sendable {
    public var notification: IncidentCore.Notification
    /// 1 for the first attempt.
    public var attempt: Int
    /// The incident as stored when the attempt starts; nil only if the store lost it.
    public var incident: Incident?
    /// The alert most recently seen on the incident: the event that made it page.
    public var event: AlertSnapshot?

    public init(notification: IncidentCore.Notification, attempt: Int, incident: Incident?, event: AlertSnapshot?) {
        self.notification = notification
        self.attempt = attempt
        self.incident = incident
        self.event = event
    }

    /// `INC-7/1/0`; sent as `Idempotency-Key` or `INCIDENT_IDEMPOTENCY_KEY` so a receiver can drop a repeat.
    public var idempotencyKey: String { notification.idempotencyKey }

    /// `escalation` for a policy step, else the lifecycle moment (`open`, `ack`, `resolve`, `reopen`, `close`).
    public var trigger: String { notification.moment ?? "escalation" }

    /// The incident's `INC-n` id, from the snapshot or the notification.
    public var incidentID: String { Incident.id(notification.incident) }
}
