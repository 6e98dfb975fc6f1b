import AsyncHTTPClient
import Foundation
import IncidentCore
import NIOCore
import NIOHTTP1

/// `incidentctl`'s way to the daemon: the HTTP API of SPEC §8 on the control socket.
public struct DaemonClient: Sendable {
    public let socketPath: String
    let http: HTTPClient
    let timeout: TimeAmount

    /// The most a response body may be; the biggest, `show` of a large incident, is far below.
    static let maxResponseBytes = 64 << 20

    public init(socketPath: String, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.socketPath = socketPath
        self.http = httpClient
        self.timeout = .nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    /// `GET /readyz`, ready or not (503).
    public func readiness() async throws(DaemonClientError) -> APIResponse<DaemonReadiness> {
        let data = try await send(.GET, "/readyz", body: nil, accepting: [503])
        do {
            return APIResponse(value: try JSONDecoder().decode(DaemonReadiness.self, from: data), body: data)
        } catch {
            throw DaemonClientError(.badResponse, "incidentd at \(socketPath) answered /readyz with \(error)")
        }
    }

    /// `GET /api/v1/incidents`.
    public func incidents(_ filter: IncidentFilter) async throws(DaemonClientError) -> APIResponse<[Incident]> {
        struct List: Decodable { var incidents: [Incident] }
        let response = try await call(.GET, filter.path, decoding: List.self)
        return APIResponse(value: response.value.incidents, body: response.body)
    }

    /// `GET /api/v1/incidents/{id}`.
    public func incident(_ number: Int) async throws(DaemonClientError) -> APIResponse<IncidentDetail> {
        try await call(.GET, "/api/v1/incidents/\(Incident.id(number))", decoding: IncidentDetail.self)
    }

    /// `POST /api/v1/incidents/{id}/{ack,resolve,close,reopen}`.
    public func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?)
        async throws(DaemonClientError) -> APIResponse<Incident>
    {
        var body: [String: String] = ["by": person]
        if let note { body["note"] = note }
        return try await call(
            .POST, "/api/v1/incidents/\(Incident.id(number))/\(action.rawValue)", body: body, decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/merge`: the source's alerts join `target`, the source closes.
    public func merge(incident source: Int, into target: Int, by person: String) async throws(DaemonClientError)
        -> APIResponse<Incident>
    {
        try await call(
            .POST, "/api/v1/incidents/\(Incident.id(source))/merge", body: ["into": Incident.id(target), "by": person],
            decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/split`: the alert leaves for a new incident, which is returned.
    public func split(incident number: Int, alert fingerprint: Fingerprint, by person: String)
        async throws(DaemonClientError) -> APIResponse<Incident>
    {
        try await call(
            .POST, "/api/v1/incidents/\(Incident.id(number))/split",
            body: ["alert": fingerprint.description, "by": person], decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/notes`.
    public func addNote(incident number: Int, by person: String, text: String) async throws(DaemonClientError)
        -> APIResponse<IncidentNote>
    {
        try await call(
            .POST, "/api/v1/incidents/\(Incident.id(number))/notes", body: ["by": person, "text": text],
            decoding: IncidentNote.self)
    }

    /// `POST /api/v1/incidents`.
    public func open(_ reported: ReportedIncident) async throws(DaemonClientError) -> APIResponse<Incident> {
        try await call(.POST, "/api/v1/incidents", body: reported, decoding: Incident.self)
    }

    /// `GET /api/v1/report?since=`.
    public func report(since: String) async throws(DaemonClientError) -> APIResponse<IncidentReport> {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._:")
        let query = since.addingPercentEncoding(withAllowedCharacters: allowed) ?? since
        return try await call(.GET, "/api/v1/report?since=\(query)", decoding: IncidentReport.self)
    }

    func call<Value: Decodable & Sendable>(
        _ method: HTTPMethod, _ path: String, body: (any Encodable)? = nil, decoding: Value.Type
    ) async throws(DaemonClientError) -> APIResponse<Value> {
        let data = try await send(method, path, body: body.map { try? JSONEncoder().encode($0) } ?? nil)
        do {
            return APIResponse(value: try JSONDecoder().decode(Value.self, from: data), body: data)
        } catch {
            throw DaemonClientError(
                .badResponse, "incidentd at \(socketPath) answered \(method) \(path) with an unexpected body: \(error)")
        }
    }

    /// Sends a request and returns the body of a 2xx answer; an error answer becomes `.api` with the daemon's
    /// message, a failure to connect `.unreachable` with why.
    func send(_ method: HTTPMethod, _ path: String, body: Data?, accepting accepted: Set<Int> = [])
        async throws(DaemonClientError) -> Data
    {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw DaemonClientError(.unreachable, "cannot use \(socketPath) as a socket path")
        }
        // The HTTP client retries a failed connect until the deadline; a daemon that is not running must be
        // reported at once, so the socket is tried directly first.
        if let failure = probe() { throw failure }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
        } catch {
            throw diagnose(error)
        }
        guard (200..<300).contains(status) || accepted.contains(status) else {
            struct ErrorBody: Decodable {
                var error: String
                var code: String
            }
            if let answer = try? JSONDecoder().decode(ErrorBody.self, from: data) {
                throw DaemonClientError(.api, answer.error, status: status, apiCode: answer.code)
            }
            throw DaemonClientError(
                .api,
                "incidentd answered \(status) to \(method) \(path): "
                    + String(decoding: data.prefix(500), as: UTF8.self),
                status: status)
        }
        return data
    }

    /// Why the request failed, told the way an operator can act on: the socket is checked directly, because
    /// the HTTP client's errors do not say whether the daemon is down or the path is wrong.
    func diagnose(_ error: any Error) -> DaemonClientError {
        probe() ?? DaemonClientError(.unreachable, "incidentd at \(socketPath) did not answer: \(error)")
    }

    /// Connects to the control socket once; nil when something accepts, else why not.
    func probe() -> DaemonClientError? {
        do {
            _ = try UnixSocket(path: socketPath, timeout: .seconds(2))
            return nil
        } catch {
            let hint =
                switch error.errno {
                case EACCES, EPERM: "are you in the daemon's group, or root? (--config/--socket)"
                default: "is it running? (--config/--socket)"
                }
            return DaemonClientError(
                .unreachable, "cannot reach incidentd at \(socketPath): \(error.reason) — \(hint)")
        }
    }
}

/// What `GET /readyz` says: ready or not, each part's detail (the store, the sources, the lead) and problems.
public struct DaemonReadiness: Decodable, Sendable {
    public var ready: Bool
    public var problems: [String: String]
    public var details: [String: String]
}
