import IncidentCore

/// `GET /api/v2/status` in Alertmanager's shape. incidentd is a single node, so the cluster is `disabled`.
struct AlertmanagerStatusBody: Encodable, Sendable {
    struct Cluster: Encodable, Sendable {
        var name: String
        var status: String
        var peers: [String]
    }

    struct VersionInfo: Encodable, Sendable {
        var version: String
        var revision: String
        var branch: String
        var buildUser: String
        var buildDate: String
        var goVersion: String
    }

    struct Config: Encodable, Sendable {
        var original: String
    }

    var cluster: Cluster
    var versionInfo: VersionInfo
    var config: Config
    var uptime: String

    init(_ status: DaemonStatus) {
        cluster = Cluster(name: status.name, status: "disabled", peers: [])
        versionInfo = VersionInfo(
            version: status.version, revision: status.revision, branch: status.branch, buildUser: status.buildUser,
            buildDate: status.buildDate, goVersion: status.runtime)
        config = Config(original: Self.configSummary(receivers: status.receivers))
        uptime = status.startedAt.rfc3339
    }

    /// An Alertmanager-shaped YAML naming the receivers, for clients that show or parse `config.original`. It is
    /// not incidentd's configuration, which holds notifier secrets and is never served.
    static func configSummary(receivers: [String]) -> String {
        var text = "# incidentd serves Alertmanager's API but routes by its own rules; this names its receivers only.\n"
        text += "route:\n  receiver: incidentd\nreceivers:\n"
        for name in receivers { text += "  - name: \(Labels.jsonString(name))\n" }
        return text
    }
}
