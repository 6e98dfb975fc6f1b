import HTTPTypes
import Hummingbird
import IncidentCore
import IncidentWeb
import NIOCore
import ServiceLifecycle

extension WebRoutes {
    /// The self-service portal, the status page and the live-update stream.
    func addPublic(to router: Router<APIRequestContext>) {
        on(router, .get, "/portal", .signedIn) { _, _, identity, _ in
            guard let identity else { throw APIError(.unauthorized, "sign in first") }
            return Self.html(
                pages.portal(
                    chrome(identity, title: "Report a problem", section: .portal), services: try await knownServices(),
                    mine: try await reports(of: identity.name)))
        }
        on(router, .post, "/portal", .signedIn) { _, _, identity, form in
            guard let identity else { throw APIError(.unauthorized, "sign in first") }
            let fields = Dictionary(form.items.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let report: PortalReport
            do throws(PortalFormError) {
                report = try PortalReport(form: fields)
            } catch {
                return Self.html(
                    pages.portal(
                        chrome(identity, title: "Report a problem", section: .portal, error: error.description),
                        services: try await knownServices(), mine: try await reports(of: identity.name), form: fields),
                    status: .badRequest)
            }
            let incident = try await api.openReported(report.reported(by: identity.name))
            if !report.details.isEmpty {
                _ = try await api.addNote(incident: incident.number, by: identity.name, text: report.details)
            }
            return Self.redirect("/portal/\(incident.number)")
        }
        on(router, .get, "/portal/{id}", .signedIn) { _, context, identity, _ in
            guard let identity else { throw APIError(.unauthorized, "sign in first") }
            let number = try Self.number(context)
            // A reporter sees only their own reports; the same answer for someone else's as for none at all.
            guard let detail = try await api.incident(number), detail.incident.rule == "reported",
                identity.readsConsole || detail.incident.labels["reporter"] == identity.name
            else { throw APIError(.notFound, "There is no report \(Incident.id(number)) of yours.") }
            return Self.html(
                pages.portalReport(
                    chrome(identity, title: detail.incident.id, section: .portal, live: true), detail: detail))
        }
        on(router, .get, "/status", .status) { _, _, identity, _ in
            var incidents: [Incident] = []
            for kind in [IncidentKind.outage, .degradation] {
                incidents += try await api.incidentPage(IncidentSearch(kind: kind, limit: 1000)).incidents
            }
            return Self.html(
                pages.status(
                    chrome(identity, title: "Service status", section: .status, live: true), incidents: incidents,
                    now: now()))
        }
        on(router, .get, "/events", .status) { _, _, _, _ in
            var headers = Self.securityHeaders
            headers[.contentType] = "text/event-stream"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await stream(to: &writer)
                })
        }
    }

    /// Server-sent events: `change` whenever the feed moves (checked twice a second), a comment every 15 s so
    /// proxies keep the connection, and an end after 10 minutes or at shutdown (browsers reconnect by themselves).
    func stream(to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        var seen = feed.current
        var quiet = 0
        for _ in 0..<1200 {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            try await Task.sleep(for: .milliseconds(500))
            let current = feed.current
            if current != seen {
                seen = current
                quiet = 0
                try await writer.write(ByteBuffer(string: "event: change\ndata: \(current)\n\n"))
            } else {
                quiet += 1
                if quiet >= 30 {
                    quiet = 0
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
        }
        try await writer.finish(nil)
    }

    /// The services of open incidents, for the portal's suggestions.
    func knownServices() async throws -> [String] {
        let page = try await api.incidentPage(IncidentSearch(limit: 500))
        return Array(Set(page.incidents.compactMap { $0.labels["service"] })).filter { $0.count <= 64 }.sorted()
            .prefix(50).map { $0 }
    }

    /// A person's own reports, newest first.
    func reports(of name: String) async throws -> [Incident] {
        try await api.incidentPage(
            IncidentSearch(states: Set(IncidentState.allCases), rule: "reported", labels: ["reporter": name], limit: 20)
        ).incidents
    }
}
