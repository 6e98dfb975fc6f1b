import IncidentCore

/// The body of `GET /api/v1/oncall`: the time asked about and each schedule's shifts then.
public struct OnCallReport: Sendable, Hashable, Decodable {
    public var at: String
    public var schedules: [OnCallStatus]
}
