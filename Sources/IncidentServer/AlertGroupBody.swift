/// An alert group in Alertmanager's shape (`GET /api/v2/alerts/groups`): incidentd's groups are its incidents,
/// and a group's labels are the labels all its alerts share.
struct AlertGroupBody: Encodable, Sendable {
    var labels: [String: String]
    var receiver: GettableAlertBody.Receiver
    var alerts: [GettableAlertBody]

    init(alerts: [GettableAlertBody]) {
        var common = alerts.first?.labels ?? [:]
        for alert in alerts.dropFirst() {
            common = common.filter { alert.labels[$0.key] == $0.value }
        }
        labels = common
        receiver = alerts.first?.receivers.first ?? GettableAlertBody.Receiver(name: "incidentd")
        self.alerts = alerts
    }
}
