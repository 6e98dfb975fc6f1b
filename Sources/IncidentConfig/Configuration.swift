import Foundation
import IncidentCore
import IncidentRules
import Yams

/// The daemon's configuration, `incidentd.yaml` (SPEC §3). Every key has a default; relative paths are
/// resolved against the config file's directory.
///
/// It has its own module so that the rule language (IncidentRules) knows nothing of sockets, listeners, auth or
/// notifiers; it is read with the rules' `YAMLReader`, so its diagnostics have the same positions and codes.
public struct Configuration: Sendable {
    public enum Store: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String, passwordFile: String?)
    }

    public enum StartAt: String, Sendable, CaseIterable {
        case end
        case beginning
    }

    public struct Journal: Sendable {
        public var enabled = true
        public var directory: String?
        public var matches: [String] = []
        public var startAt: StartAt = .end
    }

    public struct Socket: Sendable {
        public var enabled = true
        public var path = "/run/incidentd/ingest.sock"
        public var mode: UInt16 = 0o660
        public var maxLineBytes = 1_048_576
        /// Client connections served at once; a client past it is closed at once and counted.
        public var maxConnections = 1024
    }

    public struct Spool: Sendable {
        public var enabled = true
        public var path = "/var/spool/incidentd"
        public var keepDone: Duration = .seconds(7 * 86_400)
    }

    public struct HTTP: Sendable {
        public var controlSocket = "/run/incidentd/control.sock"
        public var listen: String?
        public var tokenFile: String?
        /// Host names (besides IP literals, and `localhost` on a loopback listener) that TCP requests may name in
        /// `Host`: the names of a reverse proxy in front. Anything else is refused (DNS rebinding).
        public var allowedHosts: [String] = []
        /// Connections each listener holds open at once; more wait in the kernel's backlog.
        public var maxConnections = 256
        /// A connection with no request in progress for this long is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// `http.status_page: public`: the status page is served without signing in (default `private`).
        public var statusPagePublic = false
        /// Who may use the web pages (`http.auth`, SPEC §14).
        public var auth = Auth()
    }

    /// `http.auth`: the users file, the reverse proxy's identity header and how long sessions last.
    public struct Auth: Sendable {
        /// The users file (`NAME:ROLE:BCRYPTHASH` lines) `incidentctl user` edits. Default: `users` next to the
        /// config file, so `/etc/incidentd/users` with the default config (and without a config file).
        public var usersFile = "/etc/incidentd/users"
        /// A header naming the signed-in user (`X-Remote-User`), believed only from `trustedProxies`.
        public var trustedHeader: String?
        /// IP addresses and CIDR blocks of the reverse proxies that set `trustedHeader`.
        public var trustedProxies: [String] = []
        /// A session with no request for this long ends.
        public var sessionIdle: Duration = .seconds(12 * 3600)
        /// A session ends this long after sign-in, however busy.
        public var sessionMax: Duration = .seconds(7 * 86_400)
    }

    /// `ha:`, for several instances sharing a PostgreSQL store (SPEC §15).
    public struct HA: Sendable {
        /// How long after the leader dies or loses the database another instance takes over (`ha.failover`).
        /// The leader's lease is two thirds of it; a leader that could not renew stops paging when it runs out.
        public var failover: Duration = .seconds(15)
        /// This instance's name in the lease, its relay rows and its journal cursor (`journal:NAME`) (`ha.instance`);
        /// default the host name (and, in the lease, the process id).
        public var instance: String?
    }

    public struct Limits: Sendable {
        public var maxPayloadBytes = 5_242_880
        public var maxLabels = 64
        public var maxLabelValueBytes = 4096
        public var maxLabelNameBytes = 256
        public var maxAnnotationBytes = 65_536
    }

    public struct Notifier: Sendable {
        public enum Kind: String, Sendable, CaseIterable {
            case webhook
            case exec
            case journal
            case file
        }

        public enum Format: String, Sendable, CaseIterable {
            case json
            case slack
            case pagerduty
        }

        /// Lifecycle moments a notifier also hears about, besides escalation steps.
        public enum Trigger: String, Sendable, CaseIterable {
            case open
            case ack
            case resolve
            case reopen
            case close
        }

        public var name: String
        public var kind: Kind
        public var url: String?
        public var urlFile: String?
        public var format: Format = .json
        public var headers: [String: String] = [:]
        /// Header name → file holding its value (secrets stay out of the config).
        public var headerFiles: [String: String] = [:]
        /// File holding the PagerDuty Events v2 routing key (`format: pagerduty`); a secret, so never inline.
        public var routingKeyFile: String?
        public var argv: [String] = []
        public var path: String?
        public var timeout: Duration = .seconds(10)
        public var fallback: String?
        public var on: Set<Trigger> = []
        public var maxAttempts = 24
        public var initialBackoff: Duration = .seconds(1)
        public var maxBackoff: Duration = .seconds(300)
    }

    public var file: String?
    public var stateDir = "/var/lib/incidentd"
    public var rules = ["/etc/incidentd/rules.d"]
    public var store: Store = .sqlite(path: "incidentd.sqlite")
    /// How long recorded events are kept (`store.keep_events`); incidents, alerts and timelines stay.
    public var keepEvents: Duration = .seconds(30 * 86_400)
    public var journal = Journal()
    public var socket = Socket()
    public var spool = Spool()
    public var http = HTTP()
    public var notifiers: [Notifier] = []
    public var limits = Limits()
    public var ha = HA()

    public init() {}

    public static let defaultPath = "/etc/incidentd/incidentd.yaml"

    /// The SQLite file, resolved against `state_dir`.
    public var sqlitePath: String? {
        guard case .sqlite(let path) = store else { return nil }
        return path.hasPrefix("/") ? path : (stateDir as NSString).appendingPathComponent(path)
    }

    public struct LoadResult: Sendable {
        public var configuration: Configuration?
        public var diagnostics: [Diagnostic]
    }

    /// Reads and checks a config file. Errors (unknown keys, bad values) come back as diagnostics.
    public static func load(path: String) -> LoadResult {
        let sink = DiagnosticSink()
        guard let text = RuleSetLoader().readText(path, sink: sink) else {
            return LoadResult(configuration: nil, diagnostics: sink.diagnostics)
        }
        let base = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
        var config = ConfigurationParser(reader: YAMLReader(file: path, sink: sink), base: base.isEmpty ? "." : base)
            .parse(text)
        config.file = path
        return LoadResult(configuration: sink.hasErrors ? nil : config, diagnostics: sink.diagnostics)
    }

    /// Loads the config and every rule file it names, as `incidentd validate` does.
    public static func validate(path: String) -> (Configuration?, RuleSetLoader.Result?, [Diagnostic]) {
        let loaded = load(path: path)
        guard let config = loaded.configuration else { return (nil, nil, loaded.diagnostics) }
        let rules = RuleSetLoader(knownNotifiers: Set(config.notifiers.map(\.name))).load(paths: config.rules)
        return (config, rules, loaded.diagnostics + rules.diagnostics)
    }
}

struct ConfigurationParser {
    let reader: YAMLReader
    let base: String

    var sink: DiagnosticSink { reader.sink }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    func parse(_ text: String) -> Configuration {
        var config = Configuration()
        config.http.auth.usersFile = resolve("users")
        guard let root = reader.compose(text), !reader.isNull(root) else { return config }
        let keys = ["state_dir", "rules", "store", "sources", "http", "notifiers", "limits", "ha"]
        guard let pairs = reader.mapping(root, allowed: keys, what: "the config") else { return config }
        for (key, _, value) in pairs {
            switch key {
            case "state_dir":
                if let s = reader.string(value, what: "state_dir") { config.stateDir = resolve(s) }
            case "rules":
                if let list = reader.strings(value, what: "rules") { config.rules = list.map { resolve($0.0) } }
            case "store":
                store(value, into: &config)
            case "sources":
                sources(value, into: &config)
            case "http":
                http(value, into: &config)
            case "notifiers":
                notifiers(value, into: &config)
            case "limits":
                limits(value, into: &config)
            case "ha":
                ha(value, into: &config)
            default: break
            }
        }
        return config
    }

    func store(_ node: Node, into config: inout Configuration) {
        guard let pairs = reader.mapping(node, allowed: ["sqlite", "postgres", "keep_events"], what: "store") else {
            return
        }
        for (key, _, value) in pairs {
            if key == "keep_events" {
                config.keepEvents = reader.duration(value, what: "store.keep_events") ?? config.keepEvents
            } else if key == "sqlite" {
                guard let inner = reader.mapping(value, allowed: ["path"], what: "store.sqlite") else { continue }
                for (_, _, v) in inner {
                    if let p = reader.string(v, what: "store.sqlite.path") { config.store = .sqlite(path: p) }
                }
            } else {
                guard let inner = reader.mapping(value, allowed: ["url", "password_file"], what: "store.postgres")
                else { continue }
                var url = ""
                var passwordFile: String?
                for (k, _, v) in inner {
                    if k == "url" { url = reader.string(v, what: "url") ?? "" }
                    if k == "password_file" { passwordFile = reader.string(v, what: "password_file").map(resolve) }
                }
                config.store = .postgres(url: url, passwordFile: passwordFile)
                if case .failure(let error) = PostgresURL.parse(url) {
                    sink.error("invalid", at: reader.location(value), "store.postgres.url: \(error.message).")
                } else if case .success(let parsed) = PostgresURL.parse(url), parsed.password != nil {
                    sink.warning(
                        "secret", at: reader.location(value),
                        "store.postgres.url holds a password, which `ps`, logs and backups of this file may show; "
                            + "put it in store.postgres.password_file instead.")
                }
            }
        }
    }

    func sources(_ node: Node, into config: inout Configuration) {
        guard let pairs = reader.mapping(node, allowed: ["journal", "socket", "spool"], what: "sources") else { return }
        for (key, _, value) in pairs {
            switch key {
            case "journal":
                let keys = ["enabled", "directory", "matches", "start_at"]
                guard let inner = reader.mapping(value, allowed: keys, what: "sources.journal") else { continue }
                for (k, _, v) in inner {
                    switch k {
                    case "enabled": config.journal.enabled = reader.bool(v, what: "enabled") ?? true
                    case "directory":
                        config.journal.directory =
                            reader.isNull(v) ? nil : reader.string(v, what: "directory").map(resolve)
                    case "matches":
                        config.journal.matches =
                            reader.strings(v, what: "matches")?.compactMap { text, at in
                                guard let eq = text.firstIndex(of: "="), eq != text.startIndex,
                                    text[..<eq].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" })
                                else {
                                    sink.error(
                                        "bad-journal-match", at: reader.location(at),
                                        "'\(text)' is not a journal match; write FIELD=value with an upper-case field, e.g. _SYSTEMD_UNIT=sshd.service."
                                    )
                                    return nil
                                }
                                return text
                            } ?? []
                    case "start_at":
                        config.journal.startAt =
                            reader.enumeration(v, Configuration.StartAt.self, what: "start_at", code: "bad-value")
                            ?? .end
                    default: break
                    }
                }
            case "socket":
                let keys = ["enabled", "path", "mode", "max_line_bytes", "max_connections"]
                guard let inner = reader.mapping(value, allowed: keys, what: "sources.socket") else { continue }
                for (k, _, v) in inner {
                    switch k {
                    case "enabled": config.socket.enabled = reader.bool(v, what: "enabled") ?? true
                    case "path": if let s = reader.string(v, what: "path") { config.socket.path = resolve(s) }
                    case "mode": if let m = mode(v) { config.socket.mode = m }
                    case "max_line_bytes":
                        config.socket.maxLineBytes = reader.int(v, what: "max_line_bytes", minimum: 1024) ?? 1_048_576
                    case "max_connections":
                        config.socket.maxConnections = reader.int(v, what: "max_connections", minimum: 1) ?? 1024
                    default: break
                    }
                }
            case "spool":
                guard
                    let inner = reader.mapping(value, allowed: ["enabled", "path", "keep_done"], what: "sources.spool")
                else { continue }
                for (k, _, v) in inner {
                    switch k {
                    case "enabled": config.spool.enabled = reader.bool(v, what: "enabled") ?? true
                    case "path": if let s = reader.string(v, what: "path") { config.spool.path = resolve(s) }
                    case "keep_done":
                        config.spool.keepDone = reader.duration(v, what: "keep_done") ?? config.spool.keepDone
                    default: break
                    }
                }
            default: break
            }
        }
    }

    func mode(_ node: Node) -> UInt16? {
        guard let text = reader.string(node, what: "mode"), let value = UInt16(text, radix: 8), value <= 0o777 else {
            sink.error(
                "bad-value", at: reader.location(node), "mode must be octal permissions as a string, e.g. \"0660\".")
            return nil
        }
        return value
    }

    func http(_ node: Node, into config: inout Configuration) {
        let keys = [
            "control_socket", "listen", "token_file", "allowed_hosts", "max_connections", "idle_timeout", "status_page",
            "auth",
        ]
        guard let pairs = reader.mapping(node, allowed: keys, what: "http") else { return }
        for (key, _, value) in pairs {
            switch key {
            case "control_socket":
                if let s = reader.string(value, what: "control_socket") { config.http.controlSocket = resolve(s) }
            case "listen":
                guard !reader.isNull(value), let s = reader.string(value, what: "listen") else { continue }
                guard let (host, port) = Self.splitHostPort(s), port > 0 else {
                    sink.error(
                        "bad-value", at: reader.location(value), "listen must be HOST:PORT, e.g. 127.0.0.1:9097.")
                    continue
                }
                guard IPLiteral.isValid(host) else {
                    sink.error(
                        "bad-value", at: reader.location(value),
                        "listen must name an IP address (127.0.0.1:9097, [::1]:9097, 0.0.0.0:9097), not the host name '\(host)': a name can resolve to another address than the one meant."
                    )
                    continue
                }
                config.http.listen = s
            case "token_file":
                config.http.tokenFile =
                    reader.isNull(value) ? nil : reader.string(value, what: "token_file").map(resolve)
            case "allowed_hosts":
                config.http.allowedHosts = reader.strings(value, what: "allowed_hosts")?.map(\.0) ?? []
            case "max_connections":
                config.http.maxConnections =
                    reader.int(value, what: key, minimum: 1) ?? config.http.maxConnections
            case "idle_timeout":
                config.http.idleTimeout = reader.duration(value, what: key) ?? config.http.idleTimeout
            case "status_page":
                guard let s = reader.string(value, what: key) else { continue }
                guard s == "public" || s == "private" else {
                    sink.error(
                        "bad-value", at: reader.location(value),
                        "status_page must be public (anyone may read it) or private (signed-in users only), not '\(s)'."
                    )
                    continue
                }
                config.http.statusPagePublic = s == "public"
            case "auth":
                auth(value, into: &config)
            default: break
            }
        }
        if let listen = config.http.listen, config.http.tokenFile == nil {
            sink.error(
                "token-required", at: reader.location(node),
                "http.listen \(listen) needs http.token_file: without a token every local user (and every web page a local browser opens) could ingest alerts and acknowledge incidents. Write a random token of at least 32 characters to a file only incidentd can read, e.g. `head -c 32 /dev/urandom | base64 > /etc/incidentd/http.token; chmod 0640 /etc/incidentd/http.token`."
            )
        }
    }

    func auth(_ node: Node, into config: inout Configuration) {
        let keys = ["users_file", "trusted_header", "trusted_proxies", "session_idle", "session_max"]
        guard let pairs = reader.mapping(node, allowed: keys, what: "http.auth") else { return }
        var proxiesNode: Node?
        var badProxies = false
        for (key, _, value) in pairs {
            switch key {
            case "users_file":
                if let s = reader.string(value, what: key) { config.http.auth.usersFile = resolve(s) }
            case "trusted_header":
                guard !reader.isNull(value), let s = reader.string(value, what: key) else { continue }
                guard Self.isHeaderName(s) else {
                    sink.error(
                        "bad-value", at: reader.location(value),
                        "trusted_header must be an HTTP header name (letters, digits and -, e.g. X-Remote-User), not '\(s)'."
                    )
                    continue
                }
                config.http.auth.trustedHeader = s
            case "trusted_proxies":
                proxiesNode = value
                guard let list = reader.strings(value, what: key) else { continue }
                for (entry, entryNode) in list {
                    do throws(AddressRangeError) {
                        _ = try AddressRange(parsing: entry)
                        config.http.auth.trustedProxies.append(entry)
                    } catch {
                        badProxies = true
                        sink.error(
                            "bad-value", at: reader.location(entryNode),
                            "trusted_proxies: \(error). List the reverse proxies' addresses, e.g. [127.0.0.1, \"::1\", 10.0.0.0/8]."
                        )
                    }
                }
            case "session_idle":
                config.http.auth.sessionIdle = reader.duration(value, what: key) ?? config.http.auth.sessionIdle
            case "session_max":
                config.http.auth.sessionMax = reader.duration(value, what: key) ?? config.http.auth.sessionMax
            default: break
            }
        }
        // A list whose entries were all refused has its own errors already.
        if let header = config.http.auth.trustedHeader, config.http.auth.trustedProxies.isEmpty, !badProxies {
            sink.error(
                "proxies-required", at: reader.location(proxiesNode ?? node),
                "http.auth.trusted_header \(header) needs http.auth.trusted_proxies: without it anyone who can reach the listener could send the header and sign in as anyone. List the reverse proxies' addresses, e.g. trusted_proxies: [127.0.0.1, \"::1\"]."
            )
        }
    }

    /// An HTTP field name (RFC 9110 token), at most 64 characters.
    static func isHeaderName(_ text: String) -> Bool {
        let special = Set("!#$%&'*+-.^_`|~".utf8)
        return (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || special.contains(byte)
            }
    }

    static func splitHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), port < 65_536
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    func notifiers(_ node: Node, into config: inout Configuration) {
        guard let items = reader.list(node, what: "notifiers") else { return }
        let keys = [
            "name", "type", "url", "url_file", "format", "headers", "header_files", "argv", "path", "timeout",
            "fallback", "on", "retry", "routing_key_file",
        ]
        var names: [String: SourceLocation] = [:]
        var fallbacks: [(String, Node)] = []
        for item in items {
            guard let pairs = reader.mapping(item, allowed: keys, what: "a notifier") else { continue }
            let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            guard let nameNode = values["name"], let name = reader.string(nameNode, what: "name"), !name.isEmpty else {
                sink.error("missing-key", at: reader.location(item), "this notifier has no 'name'.")
                continue
            }
            guard let typeNode = values["type"],
                let kind = reader.enumeration(
                    typeNode, Configuration.Notifier.Kind.self, what: "notifier type", code: "unknown-type")
            else {
                if values["type"] == nil {
                    sink.error(
                        "missing-key", at: reader.location(item),
                        "notifier '\(name)' has no 'type'; use webhook, exec, journal or file.")
                }
                continue
            }
            if let first = names[name] {
                sink.error(
                    "duplicate-notifier", at: reader.location(nameNode),
                    "notifier '\(name)' is already defined at \(first).")
                continue
            }
            names[name] = reader.location(nameNode)
            var notifier = Configuration.Notifier(name: name, kind: kind)
            for (key, _, value) in pairs {
                switch key {
                case "url": notifier.url = reader.string(value, what: "url")
                case "url_file": notifier.urlFile = reader.string(value, what: "url_file").map(resolve)
                case "format":
                    notifier.format =
                        reader.enumeration(value, Configuration.Notifier.Format.self, what: "format", code: "bad-value")
                        ?? .json
                case "headers", "header_files":
                    guard case .mapping(let mapping) = value else {
                        sink.error("wrong-type", at: reader.location(value), "\(key) must map header names to values.")
                        continue
                    }
                    for (k, v) in mapping {
                        guard let hk = reader.string(k, what: "a header name"),
                            let hv = reader.string(v, what: "a header value")
                        else { continue }
                        if key == "headers" {
                            notifier.headers[hk] = hv
                        } else {
                            notifier.headerFiles[hk] = resolve(hv)
                        }
                    }
                case "argv":
                    notifier.argv = reader.strings(value, what: "argv")?.map(\.0) ?? []
                case "path": notifier.path = reader.string(value, what: "path").map(resolve)
                case "routing_key_file":
                    notifier.routingKeyFile = reader.string(value, what: "routing_key_file").map(resolve)
                case "timeout": notifier.timeout = reader.duration(value, what: "timeout") ?? notifier.timeout
                case "fallback":
                    notifier.fallback = reader.string(value, what: "fallback")
                    fallbacks.append((notifier.fallback ?? "", value))
                case "on":
                    notifier.on = Set(
                        reader.strings(value, what: "on")?.compactMap { text, at in
                            reader.enumeration(
                                at, Configuration.Notifier.Trigger.self, what: "'on' event", code: "bad-value")
                        } ?? [])
                case "retry":
                    guard let inner = reader.mapping(value, allowed: ["attempts", "initial", "max"], what: "retry")
                    else { continue }
                    for (k, _, v) in inner {
                        switch k {
                        case "attempts": notifier.maxAttempts = reader.int(v, what: "retry.attempts", minimum: 1) ?? 24
                        case "initial":
                            notifier.initialBackoff = reader.duration(v, what: "retry.initial") ?? .seconds(1)
                        case "max": notifier.maxBackoff = reader.duration(v, what: "retry.max") ?? .seconds(300)
                        default: break
                        }
                    }
                default: break
                }
            }
            switch kind {
            case .webhook where notifier.url == nil && notifier.urlFile == nil:
                sink.error(
                    "missing-key", at: reader.location(item), "webhook notifier '\(name)' needs 'url' or 'url_file'.")
            case .webhook where notifier.format == .pagerduty && notifier.routingKeyFile == nil:
                sink.error(
                    "missing-key", at: reader.location(item),
                    "webhook notifier '\(name)' with format: pagerduty needs 'routing_key_file' (a file holding the "
                        + "Events v2 integration key).")
            case .exec where notifier.argv.isEmpty:
                sink.error(
                    "missing-key", at: reader.location(item),
                    "exec notifier '\(name)' needs 'argv: [/path/to/program, args...]' (no shell is used).")
            case .exec where !(notifier.argv[0].hasPrefix("/")):
                sink.error(
                    "bad-value", at: reader.location(item),
                    "exec notifier '\(name)': argv[0] must be an absolute path; no shell or PATH search is used.")
            case .file where notifier.path == nil:
                sink.error("missing-key", at: reader.location(item), "file notifier '\(name)' needs 'path'.")
            default: break
            }
            config.notifiers.append(notifier)
        }
        for (name, node) in fallbacks where names[name] == nil {
            sink.error(
                "undefined-notifier", at: reader.location(node),
                "fallback '\(name)' is not a defined notifier.\(nearest(name, in: Array(names.keys)).map { " Did you mean '\($0)'?" } ?? "")"
            )
        }
    }

    func ha(_ node: Node, into config: inout Configuration) {
        guard let pairs = reader.mapping(node, allowed: ["failover", "instance"], what: "ha") else { return }
        for (key, _, value) in pairs {
            switch key {
            case "failover":
                guard let failover = reader.duration(value, what: "ha.failover") else { continue }
                if failover < .seconds(3) || failover > .seconds(600) {
                    sink.error("bad-value", at: reader.location(value), "ha.failover must be between 3s and 10m.")
                } else {
                    config.ha.failover = failover
                }
            case "instance":
                guard let name = reader.string(value, what: "ha.instance") else { continue }
                if name.isEmpty || name.utf8.count > 128
                    || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                {
                    sink.error(
                        "bad-value", at: reader.location(value),
                        "ha.instance must be 1 to 128 bytes without control characters.")
                } else {
                    config.ha.instance = name
                }
            default: break
            }
        }
    }

    func limits(_ node: Node, into config: inout Configuration) {
        let keys = [
            "max_payload_bytes", "max_labels", "max_label_value_bytes", "max_label_name_bytes", "max_annotation_bytes",
        ]
        guard let pairs = reader.mapping(node, allowed: keys, what: "limits") else { return }
        for (key, _, value) in pairs {
            switch key {
            case "max_payload_bytes":
                config.limits.maxPayloadBytes =
                    reader.int(value, what: key, minimum: 1024) ?? config.limits.maxPayloadBytes
            case "max_labels":
                config.limits.maxLabels = reader.int(value, what: key, minimum: 1) ?? config.limits.maxLabels
            case "max_label_value_bytes":
                config.limits.maxLabelValueBytes =
                    reader.int(value, what: key, minimum: 16) ?? config.limits.maxLabelValueBytes
            case "max_label_name_bytes":
                config.limits.maxLabelNameBytes =
                    reader.int(value, what: key, minimum: 16) ?? config.limits.maxLabelNameBytes
            case "max_annotation_bytes":
                config.limits.maxAnnotationBytes =
                    reader.int(value, what: key, minimum: 256) ?? config.limits.maxAnnotationBytes
            default: break
            }
        }
    }
}

extension Configuration {
    /// The config path a command should use: `--config`, else `$INCIDENTD_CONFIG`, else the default.
    public static func locate(explicit: String?, environment: [String: String]) -> String {
        explicit ?? environment["INCIDENTD_CONFIG"] ?? defaultPath
    }
}
