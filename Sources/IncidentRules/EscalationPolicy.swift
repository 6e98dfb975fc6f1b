import IncidentCore

/// Who is told about an incident, and when (SPEC §7).
public struct EscalationPolicy: Sendable {
    public enum Condition: String, Sendable, CaseIterable {
        /// Fire only while nobody has acknowledged (the default).
        case unacknowledged
        /// Fire while the incident is not resolved, acknowledged or not.
        case unresolved
        /// Fire whatever the state (useful for a final "FYI" step).
        case always
    }

    public struct Step: Sendable {
        public var after: Duration
        public var notify: [String]
        public var condition: Condition
        public var location: SourceLocation
    }

    public struct Repeat: Sendable {
        public var times: Int
        public var every: Duration
    }

    public var name: String
    public var location: SourceLocation
    public var steps: [Step]
    public var `repeat`: Repeat?
    public var ackTimeout: Duration?
}
