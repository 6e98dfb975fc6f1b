import Foundation
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
        var token: String?
        if let file = config.http.tokenFile {
            do {
                token = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw DaemonError(
                    .badConfig,
                    "cannot read http.token_file \(file) (\(error.localizedDescription)); make it readable by the "
                        + "incidentd user")
            }
        }
        board.problem("control", "the control socket is not bound yet")
        if config.http.listen != nil { board.problem("http", "the HTTP listener is not bound yet") }
        let server = APIServer(
            api: api, controlSocket: config.http.controlSocket, listen: config.http.listen, token: token,
            maxBodyBytes: config.limits.maxPayloadBytes, logger: logger,
            onBound: { endpoint in
                switch endpoint {
                case .controlSocket(let path): board.ready("control", detail: path)
                case .tcp(let host, let port): board.ready("http", detail: "\(host):\(port)")
                }
            })
        do {
            return try server.services()
        } catch {
            throw DaemonError(.badConfig, error.message)
        }
    }

    static func sources(
        config: Configuration, pipeline: IngestPipeline, store: SQLiteStore, decoder: PayloadDecoder,
        metrics: DaemonMetrics, board: ReadinessBoard, logger: Logger
    ) throws -> [any Service] {
        []
    }
}
