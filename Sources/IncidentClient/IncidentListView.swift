import IncidentCore

/// `incidentctl list`: one line per incident.
public enum IncidentListView {
    public static func render(_ incidents: [Incident], now: Timestamp) -> String {
        guard !incidents.isEmpty else { return "no incidents" }
        let rows = incidents.map { incident in
            [
                incident.id, incident.priority.rawValue,
                incident.state.rawValue + (incident.flapping ? " (flapping)" : "")
                    + (incident.silenced ? " (silenced)" : ""),
                incident.kind.rawValue, "\(incident.alerts)", "\(incident.events)",
                ElapsedText.age(of: incident.openedAt, now: now), incident.title,
            ]
        }
        return TextTable.render(["ID", "PRI", "STATE", "KIND", "ALERTS", "EVENTS", "OPENED", "TITLE"], rows)
    }
}
