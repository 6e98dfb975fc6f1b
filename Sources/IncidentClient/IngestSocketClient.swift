import Foundation

/// Sends one NDJSON line to the daemon's ingest socket (`sources.socket.path`) and waits for its reply, which
/// comes only after the event is committed (SPEC §9).
public struct IngestSocketClient: Sendable {
    public let path: String
    public let timeout: Duration

    public init(path: String, timeout: Duration = .seconds(30)) {
        self.path = path
        self.timeout = timeout
    }

    public func send(_ line: [UInt8]) throws(DaemonClientError) -> IngestReply {
        let reply: [UInt8]?
        do {
            let socket = try UnixSocket(path: path, timeout: timeout)
            try socket.write(line)
            reply = try socket.readLine()
        } catch {
            let hint =
                error.operation == "connect"
                ? "is incidentd running with sources.socket enabled? (--config/--ingest-socket)"
                : "the daemon did not answer in time"
            throw DaemonClientError(
                .unreachable, "cannot send to the ingest socket \(path): \(error.reason) — \(hint)")
        }
        guard let reply else {
            throw DaemonClientError(.badResponse, "the ingest socket \(path) closed the connection without a reply")
        }
        do {
            return try JSONDecoder().decode(IngestReply.self, from: Data(reply))
        } catch {
            throw DaemonClientError(
                .badResponse,
                "the ingest socket \(path) replied with something unexpected: "
                    + String(decoding: reply.prefix(300), as: UTF8.self))
        }
    }
}
