import IncidentCore

/// What the daemon says about itself in `GET /api/v2/status` (Alertmanager's shape) and `GET /api/v2/receivers`.
public struct DaemonStatus: Sendable, Hashable {
    public var version: String
    public var revision: String
    public var branch: String
    public var buildUser: String
    public var buildDate: String
    /// The compiler, where Alertmanager names its Go version.
    public var runtime: String
    /// When the daemon started: Alertmanager's `uptime` is this time, not a duration.
    public var startedAt: Timestamp
    /// The host, as the cluster's name.
    public var name: String
    /// The receivers: `incidentd` and the escalation policies.
    public var receivers: [String]

    public init(
        version: String, revision: String = "", branch: String = "", buildUser: String = "", buildDate: String = "",
        runtime: String, startedAt: Timestamp, name: String, receivers: [String]
    ) {
        self.version = version
        self.revision = revision
        self.branch = branch
        self.buildUser = buildUser
        self.buildDate = buildDate
        self.runtime = runtime
        self.startedAt = startedAt
        self.name = name
        self.receivers = receivers
    }
}
