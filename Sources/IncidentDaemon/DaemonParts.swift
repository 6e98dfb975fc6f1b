import Foundation
import IncidentAccess
import IncidentConfig
import IncidentCore
import IncidentEngine
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
        if config.journal.enabled { parts.append("journal") }
        return parts
    }

    /// Parts whose trouble is shown on `/readyz` without holding back `READY=1`.
    static let degradableParts: Set<String> = ["journal"]

    /// Notifier names by the lifecycle moments their `on:` lists.
    static func subscribers(_ config: Configuration) -> [LifecycleMoment: [String]] {
        var map: [LifecycleMoment: [String]] = [:]
        for notifier in config.notifiers {
            for trigger in notifier.on.sorted(by: { $0.rawValue < $1.rawValue }) {
                if let moment = LifecycleMoment(rawValue: trigger.rawValue) {
                    map[moment, default: []].append(notifier.name)
                }
            }
        }
        return map
    }

    static func server(
        config: Configuration, api: any IncidentAPI, board: ReadinessBoard, changes: ChangeFeed, logger: Logger
    ) throws -> [any Service] {
        var token: String?
        if let file = config.http.tokenFile { token = try readToken(file) }
        board.problem("control", "the control socket is not bound yet")
        if config.http.listen != nil { board.problem("http", "the HTTP listener is not bound yet") }
        let server = APIServer(
            api: api, controlSocket: config.http.controlSocket, listen: config.http.listen, token: token,
            maxBodyBytes: config.limits.maxPayloadBytes, allowedHosts: config.http.allowedHosts,
            maxConnections: config.http.maxConnections, idleTimeout: config.http.idleTimeout, logger: logger,
            webAccess: try webAccess(config, logger: logger), changes: changes,
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

    /// Who may use the web pages: the users file (re-read when it changes), sessions, the sign-in throttle and
    /// the trusted proxies, from `http.auth` and `http.status_page`.
    static func webAccess(_ config: Configuration, logger: Logger) throws -> WebAccess {
        let auth = config.http.auth
        let users = UserDirectory(path: auth.usersFile)
        if let problem = users.problem {
            logger.warning(
                "the users file cannot be read; nobody can sign in to the web pages",
                metadata: ["problem": "\(problem)"])
        } else if users.accounts.isEmpty {
            logger.notice(
                "no web users yet: add one with `incidentctl user add NAME --role operator`",
                metadata: ["users_file": "\(auth.usersFile)"])
        } else {
            logger.info(
                "web users loaded", metadata: ["users_file": "\(auth.usersFile)", "users": "\(users.accounts.count)"])
        }
        let proxies: TrustedProxies
        do {
            proxies = try TrustedProxies(auth.trustedProxies)
        } catch {
            throw DaemonError(.badConfig, "http.auth.trusted_proxies: \(error)")
        }
        let now: @Sendable () -> Timestamp = { Timestamp.wallClock() }
        return WebAccess(
            users: users, sessions: SessionStore(idle: auth.sessionIdle, absolute: auth.sessionMax, now: now),
            throttle: LoginThrottle(now: now), trustedHeader: auth.trustedHeader, trustedProxies: proxies,
            statusPublic: config.http.statusPagePublic)
    }

    /// The bearer token from `http.token_file`: a regular file that other users can neither read nor write and
    /// the group cannot write, holding a token (at least 32 characters, which the server checks). An empty file
    /// is an error, not "no token": it must not quietly open the listener.
    static func readToken(_ file: String) throws -> String {
        var info = stat()
        guard lstat(file, &info) == 0 else {
            throw DaemonError(
                .badConfig,
                "cannot read http.token_file \(file) (\(String(cString: strerror(errno)))); make it readable by the incidentd user"
            )
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw DaemonError(.badConfig, "http.token_file \(file) is not a regular file (a link or a directory)")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o027 == 0 else {
            throw DaemonError(
                .badConfig,
                "http.token_file \(file) has mode \(String(mode, radix: 8)): other users may read it or the group may write it; `chmod 0640 \(file)` (owner root, group incidentd) or 0600"
            )
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw DaemonError(
                .badConfig,
                "cannot read http.token_file \(file) (\(error.localizedDescription)); make it readable by the incidentd user"
            )
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw DaemonError(
                .badConfig,
                "http.token_file \(file) is empty; write a random token to it: `head -c 32 /dev/urandom | base64 > \(file)`"
            )
        }
        return token
    }

    static func sources(
        config: Configuration, ruleSet: RuleSet, sink pipeline: any EventSink, store: any IncidentStore,
        decoder: PayloadDecoder, metrics: DaemonMetrics, board: ReadinessBoard, hooks: DaemonHooks, logger: Logger,
        journalKey: String = JournalSource.positionKey
    ) throws -> [any Service] {
        var services: [any Service] = []
        if config.spool.enabled {
            let spool = SpoolSource(
                configuration: SpoolSourceConfiguration(path: config.spool.path, keepDone: config.spool.keepDone),
                decoder: decoder, sink: CountingSink(inner: pipeline, metrics: metrics, source: "spool"),
                logger: logger, positions: StoreSpoolPositions(store: store))
            let done = metrics.sourceGauge("incidentd_spool_files_done", "Spool files ingested and moved to done/.")
            let failed = metrics.sourceGauge(
                "incidentd_spool_files_failed", "Spool files refused and moved to failed/ with NAME.error.")
            let deferred = metrics.sourceGauge(
                "incidentd_spool_files_deferred",
                "Times a spool file could not be opened or read for a passing reason (out of descriptors or memory, "
                    + "an I/O error) and stayed in new/ for a later pass.")
            let pruned = metrics.sourceGauge(
                "incidentd_spool_positions_pruned", "Spool positions forgotten after sources.spool.keep_done.")
            metrics.onScrape {
                let c = spool.counters
                done.set(Int64(c.filesDone))
                failed.set(Int64(c.filesFailed))
                deferred.set(Int64(c.filesDeferred))
                pruned.set(Int64(c.positionsPruned))
            }
            services.append(
                ReportingService(
                    name: "spool", detail: config.spool.path, board: board, inner: spool,
                    ready: { try await spool.ready() }))
        }
        if config.journal.enabled {
            services.append(
                journal(
                    config: config, ruleSet: ruleSet, sink: pipeline, store: store, metrics: metrics, board: board,
                    hooks: hooks, logger: logger, key: journalKey))
        }
        if config.socket.enabled {
            let socket = SocketSource(
                configuration: SocketSourceConfiguration(
                    path: config.socket.path, mode: config.socket.mode, maxLineBytes: config.socket.maxLineBytes,
                    maxConnections: config.socket.maxConnections),
                decoder: decoder, sink: CountingSink(inner: pipeline, metrics: metrics, source: "socket"),
                logger: logger)
            let open = metrics.sourceGauge("incidentd_socket_connections", "Open connections on the ingest socket.")
            let ok = metrics.sourceGauge("incidentd_socket_lines_accepted", "Socket lines committed and acknowledged.")
            let bad = metrics.sourceGauge("incidentd_socket_lines_failed", "Socket lines answered with an error.")
            let refused = metrics.sourceGauge(
                "incidentd_socket_connections_refused",
                "Connections closed at once: sources.socket.max_connections were open.")
            metrics.onScrape {
                let c = socket.counters
                open.set(Int64(c.connectionsOpen))
                ok.set(Int64(c.linesAccepted))
                bad.set(Int64(c.linesFailed))
                refused.set(Int64(c.connectionsRefused))
            }
            // Last: the socket is the first input to stop on shutdown.
            services.append(
                ReportingService(
                    name: "socket", detail: config.socket.path, board: board, inner: socket,
                    ready: { try await socket.ready() }))
        }
        return services
    }
}
