import IncidentCore

/// `GET /api/v1/incidents`: `{"incidents": [incident, ...]}`, newest opened first.
struct IncidentListBody: Encodable, Sendable {
    var incidents: [Incident]
}
