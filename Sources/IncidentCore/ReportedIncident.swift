/// An incident a person reported (service desk): `POST /api/v1/incidents`, `incidentctl open`.
///
/// It has no alerts; the daemon prioritises it from impact and urgency and escalates it like any other.
public struct ReportedIncident: Sendable, Hashable {
    public var kind: IncidentKind
    public var title: String
    public var impact: Impact
    public var urgency: Urgency
    public var labels: Labels
    /// Who reported it.
    public var by: String

    public init(
        kind: IncidentKind, title: String, impact: Impact = .medium, urgency: Urgency = .medium, labels: Labels = [:],
        by: String
    ) {
        self.kind = kind
        self.title = title
        self.impact = impact
        self.urgency = urgency
        self.labels = labels
        self.by = by
    }
}
