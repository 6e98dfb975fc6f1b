/// An incident with everything that happened to it: `incidentctl show`, `GET /api/v1/incidents/{id}`.
public struct IncidentDetail: Sendable, Hashable {
    public var incident: Incident
    /// Its alerts, in order of first sight.
    public var alerts: [AlertSnapshot]
    /// Its history, oldest first.
    public var timeline: [TimelineEntry]
    /// What people wrote about it, oldest first.
    public var notes: [IncidentNote]
    /// The runbook its rule names (`runbook:`, SPEC §14): an `https://` or `http://` URL, or `kb:SLUG` for an
    /// article of the knowledge base; nil when the rule names none or is no longer loaded.
    public var runbook: String?

    public init(
        incident: Incident, alerts: [AlertSnapshot], timeline: [TimelineEntry], notes: [IncidentNote],
        runbook: String? = nil
    ) {
        self.incident = incident
        self.alerts = alerts
        self.timeline = timeline
        self.notes = notes
        self.runbook = runbook
    }
}
