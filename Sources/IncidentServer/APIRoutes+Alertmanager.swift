import Foundation
import Hummingbird
import IncidentCore

/// Alertmanager v2's silence, alert, status and receiver routes (SPEC §11), so that amtool, Grafana's Alertmanager
/// data source and karma work against incidentd unchanged. Shapes follow AM's `api/v2/openapi.yaml`.
extension APIRoutes {
    func addAlertmanagerRoutes(to router: Router<APIRequestContext>) {
        router.post("/api/v2/silences") { request, _ in
            let data = try await body(of: request)
            guard !data.isEmpty else {
                throw APIError(.badRequest, "the body is empty: POST an Alertmanager PostableSilence")
            }
            let silence = try JSONDecoder().decode(PostableSilence.self, from: data)
            do throws(SilenceMatcherError) {
                try silence.validate(now: now())
            } catch {
                throw APIError(.badRequest, error.message)
            }
            let id = try await api.upsertSilence(silence)
            return try JSONResponse.make(["silenceID": id])
        }
        router.get("/api/v2/silences") { request, _ in
            let query = FormQuery(request.uri.query)
            let filter = try Self.matchers(query.getAll("filter")).map { ($0.name, $0.predicate()) }
            let shown = try Self.states(query)
            let time = now()
            let silences = try await api.silences().map { GettableSilence($0, at: time) }.filter { silence in
                guard shown.contains(silence.state) else { return false }
                // As Alertmanager: the silence's matchers, read as labels, must satisfy every filter matcher.
                let labels = Dictionary(
                    silence.silence.matchers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
                return filter.allSatisfy { name, selects in selects(labels[name]) }
            }
            return try JSONResponse.make(silences.sorted(by: Self.listOrder))
        }
        router.get("/api/v2/silence/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let silence = try await api.silences().first(where: { $0.id == id }) else {
                throw APIError(.notFound, "there is no silence \(id)")
            }
            return try JSONResponse.make(GettableSilence(silence, at: now()))
        }
        router.delete("/api/v2/silence/{id}") { request, context in
            let id = context.parameters.get("id") ?? ""
            // AM's DELETE has no body; `?by=` is incidentd's addition so the timeline can say who expired it.
            let by = FormQuery(request.uri.query).get("by").flatMap { $0.isEmpty ? nil : $0 } ?? "alertmanager-api"
            try await api.expireSilence(id: id, by: by)
            return JSONResponse.text("", contentType: "application/json")
        }

        router.get("/api/v2/alerts") { request, _ in
            try JSONResponse.make(try await selectedAlerts(FormQuery(request.uri.query)).map(\.body))
        }
        router.get("/api/v2/alerts/groups") { request, _ in
            let alerts = try await selectedAlerts(FormQuery(request.uri.query))
            let groups = Dictionary(grouping: alerts, by: \.incident).sorted { $0.key < $1.key }.map {
                AlertGroupBody(alerts: $0.value.map(\.body))
            }
            return try JSONResponse.make(groups)
        }
        router.get("/api/v2/status") { _, _ in
            try JSONResponse.make(AlertmanagerStatusBody(try await api.status()))
        }
        router.get("/api/v2/receivers") { _, _ in
            try JSONResponse.make(try await api.status().receivers.map { GettableAlertBody.Receiver(name: $0) })
        }

        router.get("/api/v1/oncall") { request, _ in
            let query = FormQuery(request.uri.query)
            var time = now()
            if let text = query.get("at") {
                guard let at = Timestamp(rfc3339: text) else {
                    throw APIError(.badRequest, "at '\(text)' is not an RFC 3339 time, e.g. 2026-12-24T09:00:00Z")
                }
                time = at
            }
            let schedule = query.get("schedule").flatMap { $0.isEmpty ? nil : $0 }
            let schedules = try await api.onCall(at: time, schedule: schedule).sorted { $0.name < $1.name }
            return try JSONResponse.make(OnCallBody(at: time.rfc3339, schedules: schedules))
        }
    }

    /// An alert with the incident that holds it, for grouping.
    struct SelectedAlert: Sendable {
        var incident: Int
        var body: GettableAlertBody
    }

    /// The alerts `GET /api/v2/alerts` and `/alerts/groups` show for AM's query parameters: `active`, `silenced`,
    /// `inhibited`, `unprocessed` (booleans, default true), `filter` (matchers), `receiver` (a regex). Resolved
    /// alerts still held in an open incident are not shown, as Alertmanager does not show them.
    func selectedAlerts(_ query: FormQuery) async throws -> [SelectedAlert] {
        let active = try Self.flag(query, "active")
        let silenced = try Self.flag(query, "silenced")
        let inhibited = try Self.flag(query, "inhibited")
        _ = try Self.flag(query, "unprocessed")
        _ = try Self.flag(query, "muted")
        let filter = try Self.matchers(query.getAll("filter")).map { ($0.name, $0.predicate()) }
        var receiver: ((String?) -> Bool)?
        if let text = query.get("receiver"), !text.isEmpty {
            let matcher = SilenceMatcher(name: "receiver", value: text, isRegex: true)
            if let problem = matcher.regexProblem { throw APIError(.badRequest, "receiver: \(problem)") }
            receiver = matcher.predicate()
        }
        return try await api.alerts().filter { routed in
            let alert = routed.alert
            guard alert.firing else { return false }
            let suppressed = !alert.silencedBy.isEmpty || !alert.inhibitedBy.isEmpty
            if !active && !suppressed { return false }
            if !silenced && !alert.silencedBy.isEmpty { return false }
            if !inhibited && !alert.inhibitedBy.isEmpty { return false }
            if let receiver, !receiver(routed.receiver) { return false }
            return filter.allSatisfy { name, selects in selects(alert.labels[name]) }
        }.sorted {
            ($0.alert.incident, $0.alert.startsAt, $0.alert.fingerprint)
                < ($1.alert.incident, $1.alert.startsAt, $1.alert.fingerprint)
        }.map { SelectedAlert(incident: $0.alert.incident, body: GettableAlertBody($0)) }
    }

    /// `filter=` values as matchers; 400 naming the bad one.
    static func matchers(_ texts: [String]) throws -> [SilenceMatcher] {
        do throws(SilenceMatcherError) {
            return try SilenceMatcher.parseList(texts)
        } catch {
            throw APIError(.badRequest, "filter: \(error.message)")
        }
    }

    /// A boolean query parameter of AM's, true when absent.
    static func flag(_ query: FormQuery, _ name: String) throws -> Bool {
        guard let text = query.get(name) else { return true }
        switch text.lowercased() {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw APIError(.badRequest, "\(name) must be true or false, not '\(text)'")
        }
    }

    /// The silence states `active`, `pending` and `expired` (booleans, default true) let through.
    static func states(_ query: FormQuery) throws -> Set<Silence.State> {
        var states: Set<Silence.State> = []
        for state in Silence.State.allCases where try flag(query, state.rawValue) { states.insert(state) }
        return states
    }

    /// Active first, then pending, then expired, as amtool lists them; within a state, by end then id.
    static func listOrder(_ a: GettableSilence, _ b: GettableSilence) -> Bool {
        let rank: [Silence.State: Int] = [.active: 0, .pending: 1, .expired: 2]
        return (rank[a.state]!, a.silence.endsAt, a.silence.id) < (rank[b.state]!, b.silence.endsAt, b.silence.id)
    }
}
