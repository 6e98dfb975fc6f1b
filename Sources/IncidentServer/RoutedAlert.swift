import IncidentCore

/// An alert held in an open incident, with the receiver Alertmanager clients see for it: the escalation policy of
/// its incident (`incidentd` when the incident has none).
public struct RoutedAlert: Sendable, Hashable {
    public var alert: ActiveAlert
    public var receiver: String

    public init(alert: ActiveAlert, receiver: String) {
        self.alert = alert
        self.receiver = receiver
    }
}
