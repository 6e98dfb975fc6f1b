import Hummingbird
import HummingbirdCore
import IncidentCore
import IncidentWeb
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The HTTP API of SPEC §8 over an `IncidentAPI`: one router, served on the control Unix socket (always) and
/// on the TCP address of `http.listen` (when set).
///
/// ```swift
/// let server = APIServer(api: daemon, controlSocket: config.http.controlSocket, listen: config.http.listen,
///                        token: token, maxBodyBytes: config.limits.maxPayloadBytes, logger: logger,
///                        onBound: { endpoint in ... })
/// let group = ServiceGroup(services: try server.services() + otherServices, logger: logger)
/// ```
public struct APIServer: Sendable {
    public let api: any IncidentAPI
    public let controlSocket: String
    public let socketMode: UInt16
    public let listen: String?
    public let token: String?
    public let maxBodyBytes: Int
    /// Host names TCP requests may carry besides IP literals (`http.allowed_hosts`).
    public let allowedHosts: [String]
    /// Connections each listener holds at once (`http.max_connections`).
    public let maxConnections: Int
    /// How long a connection without a request in progress stays open (`http.idle_timeout`).
    public let idleTimeout: Duration
    public let logger: Logger
    /// Who may use the web pages; nil: only the control socket (admin) reaches them.
    public let webAccess: WebAccess?
    /// What the pages' live updates watch.
    public let changes: ChangeFeed
    let now: @Sendable () -> Timestamp
    let onBound: @Sendable (APIEndpoint) async -> Void

    /// Describes the server; nothing is bound until its services run.
    ///
    /// - Parameters:
    ///   - api: what the routes call.
    ///   - controlSocket: `http.control_socket`; a stale socket there is removed, a live one is an error.
    ///   - socketMode: the control socket's file mode, which is its only protection (no token there).
    ///   - listen: `http.listen` (`HOST:PORT`, `[::1]:PORT`), or nil for the control socket alone.
    ///   - token: the bearer token TCP requests must carry; surrounding white space (a file's newline) is
    ///     ignored. Required, of at least `minimumTokenLength` characters, whenever `listen` is set: on loopback
    ///     too, where every local user and every page a local browser opens could otherwise act as an operator.
    ///   - maxBodyBytes: `limits.max_payload_bytes`; larger bodies get 413.
    ///   - now: the clock for `report?since=7d`.
    ///   - onBound: called once per listener when it accepts connections, with the port actually bound; the
    ///     daemon waits for the control socket here before it reports ready.
    public init(
        api: any IncidentAPI, controlSocket: String, socketMode: UInt16 = 0o660, listen: String? = nil,
        token: String? = nil, maxBodyBytes: Int = 5_242_880, allowedHosts: [String] = [], maxConnections: Int = 256,
        idleTimeout: Duration = .seconds(60), logger: Logger, webAccess: WebAccess? = nil,
        changes: ChangeFeed = ChangeFeed(),
        now: @escaping @Sendable () -> Timestamp = APIServer.systemNow,
        onBound: @escaping @Sendable (APIEndpoint) async -> Void = { _ in }
    ) {
        self.api = api
        self.controlSocket = controlSocket
        self.socketMode = socketMode
        self.listen = listen
        let trimmed = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.token = trimmed?.isEmpty == false ? trimmed : nil
        self.maxBodyBytes = maxBodyBytes
        self.allowedHosts = allowedHosts
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.webAccess = webAccess
        self.changes = changes
        self.now = now
        self.onBound = onBound
    }

    /// The wall clock, as a `Timestamp`.
    @Sendable public static func systemNow() -> Timestamp {
        Timestamp.wallClock()
    }

    /// The shortest bearer token accepted: 32 characters, as `head -c 32 /dev/urandom | base64` gives 44.
    public static let minimumTokenLength = 32

    /// The listeners as services for the daemon's `ServiceGroup`: the control socket first, then TCP.
    ///
    /// Throws when `listen` is not `IP:PORT`, or there is no token of at least `minimumTokenLength` for it.
    public func services() throws(APIServerError) -> [any Service] {
        var tcp: ListenAddress?
        if let listen {
            guard let address = ListenAddress(listen) else {
                throw APIServerError(
                    .badListenAddress,
                    "http.listen '\(listen)' is not IP:PORT (127.0.0.1:9097, [::1]:9097); host names are refused")
            }
            guard let token else {
                throw APIServerError(
                    .tokenRequired,
                    "http.listen \(listen) needs a bearer token (http.token_file): without one every local user "
                        + "and every page a local browser opens could act as an operator")
            }
            guard token.count >= Self.minimumTokenLength else {
                throw APIServerError(
                    .tokenRequired,
                    "the bearer token for http.listen is \(token.count) characters; use at least "
                        + "\(Self.minimumTokenLength), e.g. `head -c 32 /dev/urandom | base64`")
            }
            tcp = address
        }
        var names = allowedHosts
        if tcp?.isLoopback == true { names.append("localhost") }
        let pages: WebPages
        let access: WebAccess
        do {
            pages = try WebPages()
            access = try webAccess ?? WebAccess.closed(now: now)
        } catch {
            throw APIServerError(.webPages, "the web pages cannot be prepared: \(error)")
        }
        let web = WebRoutes(api: api, pages: pages, access: access, feed: changes, now: now)
        let responder = APIRoutes(
            api: api, maxBodyBytes: maxBodyBytes, token: token, allowedHosts: names, now: now, web: web
        ).router().buildResponder()
        let server = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .microseconds(idleTimeout.microseconds)))
        var services: [any Service] = []

        let socketPath = ControlSocketPath(path: controlSocket, mode: socketMode)
        let socketState = BindState()
        let (logger, onBound, path) = (logger, onBound, controlSocket)
        let control = Application(
            responder: responder, server: server,
            configuration: .init(
                address: .unixDomainSocket(path: controlSocket),
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
            onServerRunning: { _ in
                let (inode, failure) = socketPath.adopt()
                if let failure {
                    logger.warning(
                        "cannot set the control socket mode",
                        metadata: [
                            "path": "\(path)", "mode": "\(String(socketPath.mode, radix: 8))", "error": "\(failure)",
                        ])
                }
                socketState.markBound(inode: inode)
                await onBound(.controlSocket(path: path))
            }, logger: logger)
        services.append(
            APIListener(
                application: control, name: "control socket \(controlSocket)",
                hint: "check that its directory exists and is writable, or set http.control_socket",
                socketPath: socketPath, state: socketState))

        if let tcp {
            let tcpState = BindState()
            let application = Application(
                responder: responder, server: server,
                configuration: .init(
                    address: .hostname(tcp.host, port: tcp.port),
                    availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
                onServerRunning: { channel in
                    tcpState.markBound()
                    await onBound(.tcp(host: tcp.host, port: channel.localAddress?.port ?? tcp.port))
                }, logger: logger)
            services.append(
                APIListener(
                    application: application, name: "http.listen \(listen ?? "")",
                    hint: "is another process using the port? change http.listen", socketPath: nil, state: tcpState))
        }
        return services
    }
}
