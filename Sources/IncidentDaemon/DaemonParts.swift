import IncidentCore
import IncidentIngest
import IncidentRules
import IncidentServer
import IncidentStore
import Logging
import ServiceLifecycle

/// Builds the daemon's sources and servers from the config.
enum DaemonParts {
    static func expectedParts(_ config: Configuration) -> [String] {
        var parts = ["control"]
        if config.http.listen != nil { parts.append("http") }
        if config.socket.enabled { parts.append("socket") }
        if config.spool.enabled { parts.append("spool") }
        return parts
    }

    static func server(config: Configuration, api: DaemonAPI, board: ReadinessBoard, logger: Logger) throws
        -> [any Service]
    {
        []
    }

    static func sources(
        config: Configuration, pipeline: IngestPipeline, store: SQLiteStore, decoder: PayloadDecoder,
        metrics: DaemonMetrics, board: ReadinessBoard, logger: Logger
    ) throws -> [any Service] {
        []
    }
}
