import Foundation
import Hummingbird
import IncidentCore
import NIOCore

/// The routes of SPEC §8 over an `IncidentAPI`. One router, served on the control socket and on TCP.
struct APIRoutes: Sendable {
    let api: any IncidentAPI
    /// `limits.max_payload_bytes`: larger bodies get 413.
    let maxBodyBytes: Int
    /// When set, TCP requests need `Authorization: Bearer TOKEN`.
    let token: String?
    /// Names TCP requests may carry in `Host` besides IP literals.
    var allowedHosts: [String] = []
    /// The clock `report?since=7d` counts back from.
    let now: @Sendable () -> Timestamp
    /// The web pages (SPEC §14); they sign people in themselves, so they come before the bearer token.
    var web: WebRoutes? = nil

    /// The webhook formats of `POST /api/v1/webhook/{format}`, as the decoders name them.
    static let webhookFormats = ["alertmanager", "pagerduty", "grafana", "generic"]

    func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // Middleware applies to the routes added after it; the error middleware is outermost so that a 401
        // from the token check is JSON too.
        router.add(middleware: APIErrorMiddleware())
        // Host and Origin before the token: a browser tricked into a request gets no further, token or not.
        router.add(middleware: RequestOriginMiddleware(allowedNames: allowedHosts))
        web?.add(to: router)
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }

        router.post("/api/v2/alerts") { request, _ in
            try await ingest(request, format: "generic")
        }
        router.post("/api/v1/webhook/{format}") { request, context in
            let format = context.parameters.get("format") ?? ""
            guard Self.webhookFormats.contains(format) else {
                throw APIError(
                    .notFound,
                    "no webhook format '\(format)': use one of \(Self.webhookFormats.joined(separator: ", "))")
            }
            return try await ingest(request, format: format)
        }

        router.get("/api/v1/incidents") { request, _ in
            let query = try IncidentQuery(parameters: request.uri.queryParameters)
            return try JSONResponse.make(IncidentListBody(incidents: try await api.incidents(query)))
        }
        router.post("/api/v1/incidents") { request, _ in
            let reported = try JSONDecoder().decode(ReportedIncident.self, from: try await body(of: request))
            let incident = try await api.openReported(reported)
            return try JSONResponse.make(
                incident, status: .created, headers: [.location: "/api/v1/incidents/\(incident.id)"])
        }
        router.get("/api/v1/incidents/{id}") { _, context in
            let number = try incidentNumber(context)
            guard let detail = try await api.incident(number) else {
                throw APIError(.notFound, "there is no incident \(Incident.id(number))")
            }
            return try JSONResponse.make(detail)
        }
        for (path, action) in Self.actions {
            router.post("/api/v1/incidents/{id}/\(path)") { request, context in
                let number = try incidentNumber(context)
                let body = try ActionRequest.decode(try await body(of: request))
                return try JSONResponse.make(
                    try await api.perform(action, incident: number, by: body.by, note: body.note))
            }
        }
        router.post("/api/v1/incidents/{id}/merge") { request, context in
            let number = try incidentNumber(context)
            let body = try MergeRequest.decode(try await body(of: request))
            return try JSONResponse.make(try await api.merge(incident: number, into: body.target, by: body.by))
        }
        router.post("/api/v1/incidents/{id}/split") { request, context in
            let number = try incidentNumber(context)
            let body = try SplitRequest.decode(try await body(of: request))
            return try JSONResponse.make(try await api.split(incident: number, alert: body.alert, by: body.by))
        }
        router.post("/api/v1/incidents/{id}/notes") { request, context in
            let number = try incidentNumber(context)
            let body = try NoteRequest.decode(try await body(of: request))
            return try JSONResponse.make(
                try await api.addNote(incident: number, by: body.by, text: body.text), status: .created)
        }

        router.get("/api/v1/report") { request, _ in
            let since = try Self.since(request.uri.queryParameters.get("since"), now: now())
            let lines = try await api.report(since: since).sorted {
                ($0.priority.number, $0.kind.rawValue) < ($1.priority.number, $1.kind.rawValue)
            }
            return try JSONResponse.make(
                ReportBody(since: since.rfc3339, lines: lines, total: lines.reduce(0) { $0 + $1.count }))
        }

        router.get("/metrics") { _, _ in
            JSONResponse.text(await api.metrics(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/healthz") { _, _ in
            JSONResponse.text("ok\n", contentType: "text/plain; charset=utf-8")
        }
        router.get("/readyz") { _, _ in
            let readiness = await api.readiness()
            return try JSONResponse.make(
                ReadinessBody(ready: readiness.isReady, problems: readiness.problems, details: readiness.details),
                status: readiness.isReady ? .ok : .serviceUnavailable)
        }
        addAlertmanagerRoutes(to: router)
        addKnowledgeBaseRoutes(to: router)
        addRuleRoutes(to: router)
        return router
    }

    /// The lifecycle routes and the action each performs.
    static let actions: [(String, IncidentState.Action)] = [
        ("ack", .acknowledge), ("resolve", .resolve), ("close", .close), ("reopen", .reopen),
    ]

    /// Decodes and commits a payload; 200 only after the commit (SPEC §9), as Alertmanager and Prometheus expect.
    func ingest(_ request: Request, format: String) async throws -> Response {
        let data = try await body(of: request)
        guard !data.isEmpty else {
            throw APIError(.badRequest, "the body is empty: POST a JSON \(format) payload")
        }
        let receipt = try await api.ingest(data, format: format, source: .http)
        return JSONResponse.written(IngestResponseBody(receipt).json)
    }

    /// The request body, refused with 413 as soon as it is known to be too large: from `Content-Length` before
    /// reading anything, else once the bytes read pass the limit. It is never held whole beyond the limit.
    func body(of request: Request) async throws -> Data {
        let tooLarge = APIError(
            .payloadTooLarge,
            "the body is larger than \(maxBodyBytes) bytes (limits.max_payload_bytes): split the payload")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw tooLarge
        }
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }

    /// `{id}` as `INC-7` or `7`; 404 when it cannot name an incident.
    func incidentNumber(_ context: APIRequestContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let number = Incident.number(from: text) else {
            throw APIError(.notFound, "there is no incident '\(text)': ids look like INC-7 (or 7)")
        }
        return number
    }

    /// `since` of the report: a duration back from now (`7d`, default) or an RFC 3339 time.
    static func since(_ text: String?, now: Timestamp) throws -> Timestamp {
        let text = text ?? "7d"
        if let duration = DurationText.parse(text) { return now - duration }
        if let time = Timestamp(rfc3339: text) { return time }
        throw APIError(.badRequest, "since '\(text)' is neither a duration (30m, 7d) nor an RFC 3339 time")
    }
}
