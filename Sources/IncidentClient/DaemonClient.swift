import Foundation
import IncidentCore

/// `incidentctl`'s way to the daemon: the HTTP API of SPEC §8 on the control socket.
///
/// One request per connection, written and read with blocking POSIX calls on a thread of its own
/// (`HTTPResponseDecoder` reads the answer): a command-line tool sends one request and waits for it, and needs no
/// event loop or HTTP library for that (issue 16: incidentctl without async-http-client).
public struct DaemonClient: Sendable {
    public let socketPath: String
    /// How long the whole exchange may take, and each read or write within it.
    let timeout: Duration

    /// The methods the API uses.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    /// The most a response body may be; the biggest, `show` of a large incident, is far below.
    static let maxResponseBytes = 64 << 20

    public init(socketPath: String, timeout: Duration = .seconds(30)) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// `GET /readyz`, ready or not (503).
    public func readiness() async throws(DaemonClientError) -> APIResponse<DaemonReadiness> {
        let data = try await send(.get, "/readyz", body: nil, accepting: [503])
        do {
            return APIResponse(value: try JSONDecoder().decode(DaemonReadiness.self, from: data), body: data)
        } catch {
            throw DaemonClientError(.badResponse, "incidentd at \(socketPath) answered /readyz with \(error)")
        }
    }

    /// `GET /api/v1/incidents`.
    public func incidents(_ filter: IncidentFilter) async throws(DaemonClientError) -> APIResponse<[Incident]> {
        struct List: Decodable { var incidents: [Incident] }
        let response = try await call(.get, filter.path, decoding: List.self)
        return APIResponse(value: response.value.incidents, body: response.body)
    }

    /// `GET /api/v1/incidents/{id}`.
    public func incident(_ number: Int) async throws(DaemonClientError) -> APIResponse<IncidentDetail> {
        try await call(.get, "/api/v1/incidents/\(Incident.id(number))", decoding: IncidentDetail.self)
    }

    /// `POST /api/v1/incidents/{id}/{ack,resolve,close,reopen}`.
    public func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?)
        async throws(DaemonClientError) -> APIResponse<Incident>
    {
        var body: [String: String] = ["by": person]
        if let note { body["note"] = note }
        return try await call(
            .post, "/api/v1/incidents/\(Incident.id(number))/\(action.rawValue)", body: body, decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/merge`: the source's alerts join `target`, the source closes.
    public func merge(incident source: Int, into target: Int, by person: String) async throws(DaemonClientError)
        -> APIResponse<Incident>
    {
        try await call(
            .post, "/api/v1/incidents/\(Incident.id(source))/merge", body: ["into": Incident.id(target), "by": person],
            decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/split`: the alert leaves for a new incident, which is returned.
    public func split(incident number: Int, alert fingerprint: Fingerprint, by person: String)
        async throws(DaemonClientError) -> APIResponse<Incident>
    {
        try await call(
            .post, "/api/v1/incidents/\(Incident.id(number))/split",
            body: ["alert": fingerprint.description, "by": person], decoding: Incident.self)
    }

    /// `POST /api/v1/incidents/{id}/notes`.
    public func addNote(incident number: Int, by person: String, text: String) async throws(DaemonClientError)
        -> APIResponse<IncidentNote>
    {
        try await call(
            .post, "/api/v1/incidents/\(Incident.id(number))/notes", body: ["by": person, "text": text],
            decoding: IncidentNote.self)
    }

    /// `POST /api/v1/incidents`.
    public func open(_ reported: ReportedIncident) async throws(DaemonClientError) -> APIResponse<Incident> {
        try await call(.post, "/api/v1/incidents", body: reported, decoding: Incident.self)
    }

    /// `GET /api/v1/report?since=`.
    public func report(since: String) async throws(DaemonClientError) -> APIResponse<IncidentReport> {
        let query = Self.escape(since, keeping: "-._:")
        return try await call(.get, "/api/v1/report?since=\(query)", decoding: IncidentReport.self)
    }

    func call<Value: Decodable & Sendable>(
        _ method: Method, _ path: String, body: (any Encodable)? = nil, decoding: Value.Type
    ) async throws(DaemonClientError) -> APIResponse<Value> {
        let data = try await send(method, path, body: body.map { try? JSONEncoder().encode($0) } ?? nil)
        do {
            return APIResponse(value: try JSONDecoder().decode(Value.self, from: data), body: data)
        } catch {
            throw DaemonClientError(
                .badResponse,
                "incidentd at \(socketPath) answered \(method.rawValue) \(path) with an unexpected body: \(error)")
        }
    }

    /// Sends a request and returns the body of a 2xx answer; an error answer becomes `.api` with the daemon's
    /// message, a failure to connect `.unreachable` with why, an answer that is not HTTP `.badResponse`.
    func send(_ method: Method, _ path: String, body: Data?, accepting accepted: Set<Int> = [])
        async throws(DaemonClientError) -> Data
    {
        let (status, data) = try await Self.onThread { [socketPath, timeout] () throws(DaemonClientError) in
            try Self.exchange(
                socketPath: socketPath, timeout: timeout, request: Self.request(method, path, body: body),
                what: "\(method.rawValue) \(path)")
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
                "incidentd answered \(status) to \(method.rawValue) \(path): "
                    + String(decoding: data.prefix(500), as: UTF8.self),
                status: status)
        }
        return data
    }

    /// The request's bytes: `Connection: close`, so the answer ends where the connection does at the latest. The
    /// path is the API's own, built by this type; a byte outside visible ASCII in it is percent-encoded rather
    /// than sent raw into the request line.
    static func request(_ method: Method, _ path: String, body: Data?) -> [UInt8] {
        var target = ""
        for byte in path.utf8 {
            if (0x21...0x7E).contains(byte) {
                target.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                target += "%" + hexByte(byte)
            }
        }
        var head = "\(method.rawValue) \(target) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: incidentctl\r\n"
        head += "Accept: application/json\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        } else if method == .post || method == .put {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + (body.map { Array($0) } ?? [])
    }

    /// Connects, writes the request and reads the whole answer, within `timeout` in all.
    static func exchange(socketPath: String, timeout: Duration, request: [UInt8], what: String)
        throws(DaemonClientError) -> (status: Int, body: Data)
    {
        let socket: UnixSocket
        do {
            socket = try UnixSocket(path: socketPath, timeout: timeout)
        } catch {
            throw unreachable(socketPath, error)
        }
        let deadline = ContinuousClock.now + timeout
        var decoder = HTTPResponseDecoder(maxBodyBytes: maxResponseBytes)
        do {
            try socket.write(request)
            while !decoder.isComplete {
                guard ContinuousClock.now < deadline else {
                    throw DaemonClientError(
                        .unreachable, "incidentd at \(socketPath) did not answer \(what) within \(timeout)")
                }
                let bytes = try socket.read()
                if bytes.isEmpty {
                    try decoder.finish()
                } else {
                    try decoder.feed(bytes)
                }
            }
        } catch let error as UnixSocket.Failure {
            throw DaemonClientError(.unreachable, "incidentd at \(socketPath) did not answer \(what): \(error.reason)")
        } catch let error as HTTPResponseDecoder.Failure {
            throw DaemonClientError(.badResponse, "incidentd at \(socketPath) answered \(what) badly: \(error.message)")
        } catch let error as DaemonClientError {
            throw error
        } catch {
            throw DaemonClientError(.unreachable, "incidentd at \(socketPath) did not answer \(what): \(error)")
        }
        guard let response = decoder.response else {
            throw DaemonClientError(.badResponse, "incidentd at \(socketPath) answered \(what) with nothing")
        }
        return (response.status, Data(response.body))
    }

    /// Why the control socket cannot be reached, told the way an operator can act on.
    static func unreachable(_ socketPath: String, _ error: UnixSocket.Failure) -> DaemonClientError {
        let hint =
            switch error.errno {
            case EACCES, EPERM: "are you in the daemon's group, or root? (--config/--socket)"
            default: "is it running? (--config/--socket)"
            }
        return DaemonClientError(.unreachable, "cannot reach incidentd at \(socketPath): \(error.reason) — \(hint)")
    }

    /// Runs blocking socket calls on a thread of their own: never on the concurrency pool, whose few threads the
    /// caller (or, in tests, a server in the same process) may need meanwhile.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws(DaemonClientError) -> T)
        async throws(DaemonClientError) -> T
    {
        let result: Result<T, DaemonClientError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(DaemonClientError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "incidentctl-request"
            thread.start()
        }
        return try result.get()
    }

    /// A path segment or query value, percent-encoded: ASCII letters, digits and `keeping` stay as they are.
    static func escape(_ text: String, keeping: String = "-._~") -> String {
        let kept = Set(keeping.utf8)
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: out.unicodeScalars.append(Unicode.Scalar(byte))
            case _ where kept.contains(byte): out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "%" + hexByte(byte)
            }
        }
        return out
    }
}

/// What `GET /readyz` says: ready or not, each part's detail (the store, the sources, the lead) and problems.
public struct DaemonReadiness: Decodable, Sendable {
    public var ready: Bool
    public var problems: [String: String]
    public var details: [String: String]
}
