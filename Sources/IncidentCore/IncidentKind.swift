/// What sort of incident this is; decides who cares and how it is escalated.
public enum IncidentKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A service is down or unreachable.
    case outage
    /// A service works, but worse than it should.
    case degradation
    /// An attack, an intrusion, or an authentication failure pattern.
    case security
    /// A problem a person reported, or one that affects a user rather than a service.
    case userIssue = "user_issue"
}
