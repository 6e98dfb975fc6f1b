import IncidentCore

/// `GET /api/v1/oncall`: the time asked about and, per schedule, who is on call then and next.
struct OnCallBody: Encodable, Sendable {
    var at: String
    var schedules: [OnCallStatus]
}
