import HTTPTypes
import Hummingbird
import IncidentCore
import IncidentWeb

extension WebRoutes {
    /// The incident list, an incident's page, and the forms that act on an incident.
    func addConsole(to router: Router<APIRequestContext>) {
        on(router, .get, "/", .console) { request, _, identity, query in
            guard let identity else { throw APIError(.unauthorized, "sign in first") }
            let search = try Self.search(query)
            let page = try await api.incidentPage(search)
            return Self.html(
                pages.incidents(
                    chrome(identity, title: "Incidents", section: .incidents, live: true), page: page, search: search,
                    now: now()))
        }
        on(router, .get, "/incidents/{id}", .console) { _, context, identity, query in
            let number = try Self.number(context)
            guard let detail = try await api.incident(number) else {
                throw APIError(.notFound, "There is no incident \(Incident.id(number)).")
            }
            let past = try await pastIncidents(of: detail.incident)
            let flash = query.get("done").flatMap { Self.doneMessages[$0] }
            return Self.html(
                pages.incident(
                    chrome(identity, title: detail.incident.id, section: .incidents, flash: flash, live: true),
                    detail: detail, runbook: detail.runbook, past: past,
                    now: now()))
        }
        for (path, action) in APIRoutes.actions {
            on(router, .post, RouterPath("/incidents/{id}/\(path)"), .operators) { _, context, identity, form in
                let number = try Self.number(context)
                let note = form.get("note").flatMap { $0.isEmpty ? nil : $0 }
                _ = try await api.perform(action, incident: number, by: identity?.name ?? "", note: note)
                return Self.redirect("/incidents/\(number)?done=\(path)")
            }
        }
        on(router, .post, "/incidents/{id}/notes", .operators) { _, context, identity, form in
            let number = try Self.number(context)
            let text = (form.get("text") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw APIError(.badRequest, "A note needs some text.") }
            guard text.count <= 10_000 else { throw APIError(.badRequest, "A note has at most 10,000 characters.") }
            _ = try await api.addNote(incident: number, by: identity?.name ?? "", text: text)
            return Self.redirect("/incidents/\(number)?done=note")
        }
        on(router, .post, "/incidents/{id}/merge", .operators) { _, context, identity, form in
            let number = try Self.number(context)
            guard
                let target = form.get("into").flatMap({
                    Incident.number(from: $0.trimmingCharacters(in: .whitespaces).uppercased())
                })
            else { throw APIError(.badRequest, "Name the incident to merge into, as INC-12 or 12.") }
            _ = try await api.merge(incident: number, into: target, by: identity?.name ?? "")
            return Self.redirect("/incidents/\(target)?done=merge")
        }
        on(router, .post, "/incidents/{id}/split", .operators) { _, context, identity, form in
            let number = try Self.number(context)
            guard let fingerprint = form.get("alert").flatMap({ Fingerprint(hex: $0) }) else {
                throw APIError(.badRequest, "Name the alert to split out by its fingerprint.")
            }
            let new = try await api.split(incident: number, alert: fingerprint, by: identity?.name ?? "")
            return Self.redirect("/incidents/\(new.number)?done=split")
        }
    }

    /// What a `?done=` after a form says; nothing a URL carries is shown as it is.
    static let doneMessages = [
        "ack": "Acknowledged.", "resolve": "Resolved.", "close": "Closed.", "reopen": "Reopened.",
        "note": "Note added.", "merge": "Merged into this incident.", "split": "Split out into this new incident.",
        "silence": "Silence created.",
    ]

    /// The list's filters from the query string; 400 naming the valid values for anything else.
    static func search(_ query: FormQuery) throws -> IncidentSearch {
        var search = IncidentSearch(limit: 50)
        if let value = query.get("state"), !value.isEmpty {
            guard let filter = WebPages.stateFilters.first(where: { $0.value == value }) else {
                throw APIError(.badRequest, "State '\(value)' is not one the list offers.")
            }
            search.states = filter.states
        }
        if let value = query.get("kind"), !value.isEmpty {
            guard let kind = IncidentKind(rawValue: value) else {
                throw APIError(
                    .badRequest,
                    "Kind '\(value)' is not one of \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            search.kind = kind
        }
        if let value = query.get("priority"), !value.isEmpty {
            guard let priority = Priority(rawValue: value.uppercased()) else {
                throw APIError(.badRequest, "Priority '\(value)' is not one of P1 to P5.")
            }
            search.priority = priority
        }
        search.text = query.get("q")
        if let value = query.get("offset"), !value.isEmpty {
            guard let offset = Int(value), (0...1_000_000).contains(offset) else {
                throw APIError(.badRequest, "Offset '\(value)' is not a page of the list.")
            }
            search.offset = offset
        }
        return search
    }

    static func number(_ context: APIRequestContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let number = Incident.number(from: text.uppercased()) else {
            throw APIError(.notFound, "There is no incident '\(text)'.")
        }
        return number
    }

    /// Up to ten earlier incidents of the same rule, with their last note and review article.
    func pastIncidents(of incident: Incident) async throws -> [WebPages.PastIncident] {
        guard incident.rule != "reported" else { return [] }
        let page = try await api.incidentPage(
            IncidentSearch(states: Set(IncidentState.allCases), rule: incident.rule, limit: 11))
        var past: [WebPages.PastIncident] = []
        for other in page.incidents where other.number != incident.number && past.count < 10 {
            let notes = try await api.incident(other.number)?.notes ?? []
            let article = try await api.articleReviewing(incident: other.number).map { ($0.slug, $0.title) }
            past.append(.init(incident: other, lastNote: notes.last?.text, article: article))
        }
        return past
    }
}
