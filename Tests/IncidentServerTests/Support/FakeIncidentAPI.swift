import Foundation
import IncidentCore
import IncidentServer

/// An in-memory `IncidentAPI`: records what the server asked and answers from a dictionary.
actor FakeIncidentAPI: IncidentAPI {
    struct Ingested: Sendable {
        var body: Data
        var format: String?
        var source: EventSource
    }

    var details: [Int: IncidentDetail] = [:]
    var ingested: [Ingested] = []
    var ingestFailure: IngestError?
    var failure: (any Error & Sendable)?
    var queries: [IncidentQuery] = []
    var reportSince: Timestamp?
    var reportLines: [ReportLine] = []
    var readinessValue = Readiness(details: ["store": "ok"])
    var metricsText = "# TYPE incidentd_events_total counter\nincidentd_events_total 3\n"
    var silenceTable: [String: Silence] = [:]
    var expiredBy: [String: String] = [:]
    var heldAlerts: [RoutedAlert] = []
    var schedules: [OnCallStatus] = []
    var onCallAsked: [Timestamp] = []
    var nextSilenceNumber = 1
    /// Knowledge-base articles in the order saved.
    var kbArticles: [KnowledgeArticle] = []
    var searches: [(query: String, limit: Int)] = []
    var loadedRules: [RuleSummary] = []
    var activity: [RuleActivity] = []
    var activitySince: Timestamp?
    var dailyRows: [DailyCount] = []
    var dailyAsked: [(since: Timestamp, until: Timestamp)] = []
    var explained: [(body: Data, format: String?, source: EventSource?, trace: Bool)] = []

    init(_ incidents: [Incident] = []) {
        for incident in incidents { details[incident.number] = Fixtures.detail(incident) }
    }

    func set(ingestFailure: IngestError?) { self.ingestFailure = ingestFailure }
    func set(failure: (any Error & Sendable)?) { self.failure = failure }
    func set(readiness: Readiness) { readinessValue = readiness }
    func set(reportLines: [ReportLine]) { self.reportLines = reportLines }
    func set(alerts: [RoutedAlert]) { heldAlerts = alerts }
    func set(schedules: [OnCallStatus]) { self.schedules = schedules }
    func add(_ silence: Silence) { silenceTable[silence.id] = silence }
    func set(rules: [RuleSummary], activity: [RuleActivity]) {
        loadedRules = rules
        self.activity = activity
    }
    func set(dailyRows: [DailyCount]) { self.dailyRows = dailyRows }

    func ingest(_ body: Data, format: String?, source: EventSource) async throws -> IngestReceipt {
        if let ingestFailure { throw ingestFailure }
        ingested.append(Ingested(body: body, format: format, source: source))
        // Counts alerts the way the decoders would, so a test sees the body arrived whole.
        let json = try? JSONSerialization.jsonObject(with: body)
        let count: Int
        switch json {
        case let array as [Any]: count = array.count
        case let object as [String: Any]: count = (object["alerts"] as? [Any])?.count ?? 1
        default: throw IngestError(.invalid, "not JSON")
        }
        return IngestReceipt(accepted: count, incidents: ["INC-1"])
    }

    func incidentPage(_ search: IncidentSearch) async throws -> IncidentPage {
        if let failure { throw failure }
        var found = details.values.map(\.incident).filter { incident in
            search.effectiveStates.contains(incident.state) && (search.kind.map { $0 == incident.kind } ?? true)
                && (search.priority.map { $0 == incident.priority } ?? true)
                && (search.rule.map { $0 == incident.rule } ?? true)
                && search.labels.allSatisfy { incident.labels[$0.key] == $0.value }
                && (search.effectiveText.map { incident.title.localizedCaseInsensitiveContains($0) } ?? true)
        }
        found.sort { ($0.openedAt, $0.number) > ($1.openedAt, $1.number) }
        return IncidentPage(incidents: Array(found.dropFirst(search.offset).prefix(search.limit)), total: found.count)
    }

    func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        if let failure { throw failure }
        queries.append(query)
        let states: Set<IncidentState> = query.states.isEmpty ? [.open, .acknowledged] : query.states
        var found: [Incident] = []
        for incident in details.values.map(\.incident) where states.contains(incident.state) {
            if let kind = query.kind, kind != incident.kind { continue }
            if let priority = query.priority, priority != incident.priority { continue }
            found.append(incident)
        }
        // Newest first, ties by number, so that the order does not depend on the dictionary's.
        found.sort { ($0.openedAt, $0.number) > ($1.openedAt, $1.number) }
        return Array(found.prefix(query.limit))
    }

    func incident(_ number: Int) async throws -> IncidentDetail? {
        if let failure { throw failure }
        return details[number]
    }

    func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?) async throws
        -> Incident
    {
        guard var detail = details[number] else { throw APIError(.notFound, "there is no incident INC-\(number)") }
        guard let next = detail.incident.state.applying(action) else {
            throw APIError(
                .conflict, "INC-\(number) is \(detail.incident.state.rawValue): it cannot take \(action.rawValue)")
        }
        detail.incident.state = next
        switch action {
        case .acknowledge:
            detail.incident.acknowledgedAt = Fixtures.now
            detail.incident.acknowledgedBy = person
        case .resolve: detail.incident.resolvedAt = Fixtures.now
        case .close: detail.incident.closedAt = Fixtures.now
        case .reopen, .ackTimeout: detail.incident.resolvedAt = nil
        }
        detail.timeline.append(TimelineEntry(at: Fixtures.now, type: next.rawValue, detail: "by \(person)"))
        if let note { detail.timeline.append(TimelineEntry(at: Fixtures.now, type: "note", detail: note)) }
        details[number] = detail
        return detail.incident
    }

    func merge(incident source: Int, into target: Int, by person: String) async throws -> Incident {
        guard source != target else { throw APIError(.badRequest, "INC-\(source) cannot be merged into itself") }
        for number in [source, target] where details[number] == nil {
            throw APIError(.notFound, "there is no incident INC-\(number)")
        }
        var from = details[source]!
        var into = details[target]!
        into.alerts += from.alerts.map {
            var alert = $0; alert.incident = target; return alert
        }
        into.incident.alerts += from.incident.alerts
        into.incident.events += from.incident.events
        into.timeline.append(
            TimelineEntry(
                at: Fixtures.now, type: "merged",
                detail: "INC-\(source) merged in by \(person): its \(from.incident.alerts) alerts join"))
        from.incident.state = .closed
        from.incident.closedAt = Fixtures.now
        from.timeline.append(
            TimelineEntry(at: Fixtures.now, type: "merged", detail: "merged into INC-\(target) by \(person)"))
        details[source] = from
        details[target] = into
        return into.incident
    }

    func split(incident number: Int, alert fingerprint: Fingerprint, by person: String) async throws -> Incident {
        guard var from = details[number] else { throw APIError(.notFound, "there is no incident INC-\(number)") }
        guard let index = from.alerts.firstIndex(where: { $0.fingerprint == fingerprint }) else {
            throw APIError(.badRequest, "INC-\(number) has no alert \(fingerprint)")
        }
        guard from.alerts.count > 1 else {
            throw APIError(.conflict, "alert \(fingerprint) is the only alert of INC-\(number)")
        }
        let new = (details.keys.max() ?? 0) + 1
        var alert = from.alerts.remove(at: index)
        alert.incident = new
        from.incident.alerts -= 1
        from.timeline.append(
            TimelineEntry(
                at: Fixtures.now, type: "split", detail: "alert \(fingerprint) split off into INC-\(new) by \(person)"))
        var incident = from.incident
        incident.number = new
        incident.state = .open
        incident.alerts = 1
        incident.events = alert.events
        incident.labels = alert.labels
        details[number] = from
        details[new] = IncidentDetail(
            incident: incident, alerts: [alert],
            timeline: [TimelineEntry(at: Fixtures.now, type: "split", detail: "split off INC-\(number) by \(person)")],
            notes: [])
        return incident
    }

    func addNote(incident number: Int, by person: String, text: String) async throws -> IncidentNote {
        guard details[number] != nil else { throw APIError(.notFound, "there is no incident INC-\(number)") }
        let note = IncidentNote(
            id: Int64(details[number]!.notes.count + 1), incident: number, at: Fixtures.now, author: person, text: text)
        details[number]!.notes.append(note)
        return note
    }

    func openReported(_ request: ReportedIncident) async throws -> Incident {
        let number = (details.keys.max() ?? 0) + 1
        let incident = Incident(
            number: number, title: request.title, kind: request.kind, state: .open, impact: request.impact,
            urgency: request.urgency,
            priority: PriorityMatrix.itil.priority(impact: request.impact, urgency: request.urgency),
            rule: "reported", groupKey: "reported:\(number)", labels: request.labels, alerts: 0, events: 0,
            flapping: false, escalation: nil, openedAt: Fixtures.now)
        details[number] = IncidentDetail(
            incident: incident, alerts: [],
            timeline: [TimelineEntry(at: Fixtures.now, type: "opened", detail: "reported by \(request.by)")], notes: [])
        return incident
    }

    func report(since: Timestamp) async throws -> [ReportLine] {
        reportSince = since
        return reportLines
    }

    func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] {
        dailyAsked.append((since, until))
        return dailyRows
    }

    func rules() async throws -> [RuleSummary] {
        if let failure { throw failure }
        return loadedRules
    }

    func ruleActivity(since: Timestamp) async throws -> [RuleActivity] {
        activitySince = since
        return activity
    }

    /// Explains every alert object of a JSON array (or the one object) as matching rule `echo`, with its labels;
    /// anything else is refused as the daemon's decoder would.
    func explain(_ body: Data, format: String?, source: EventSource?, trace: Bool) async throws -> [EventExplanation] {
        explained.append((body, format, source, trace))
        let json = try? JSONSerialization.jsonObject(with: body)
        let objects: [[String: Any]]
        switch json {
        case let array as [[String: Any]]: objects = array
        case let object as [String: Any]: objects = [object]
        default: throw APIError(.badRequest, "payload is not valid JSON (truncated or malformed)")
        }
        return objects.map { object in
            let labels = Labels(object["labels"] as? [String: String] ?? [:])
            return EventExplanation(
                inputLabels: labels, source: source ?? .socket, status: .firing,
                trace: trace ? [EventExplanation.TraceStep(rule: "echo", failure: nil)] : nil,
                match: EventExplanation.Match(
                    rule: "echo", ruleLocation: "rules/echo.yaml:3:5", labels: labels, extracted: [:], enrichedBy: [],
                    fingerprint: labels.fingerprint,
                    incident: EventExplanation.IncidentOutcome(
                        kind: .outage, impact: .medium, urgency: .high, priority: .p2, groupKey: "echo/1",
                        title: "echo", escalation: nil, threshold: nil, inhibitedBy: [], correlations: [])))
        }
    }

    func silences() async throws -> [Silence] {
        if let failure { throw failure }
        return silenceTable.values.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }

    func upsertSilence(_ request: PostableSilence) async throws -> String {
        var id = String(format: "00000000-0000-4000-8000-%012d", nextSilenceNumber)
        if let asked = request.id {
            guard silenceTable[asked] != nil else { throw APIError(.notFound, "there is no silence \(asked)") }
            id = asked
        } else {
            nextSilenceNumber += 1
        }
        silenceTable[id] = Silence(
            id: id, matchers: request.matchers, startsAt: max(request.startsAt, Fixtures.now), endsAt: request.endsAt,
            createdBy: request.createdBy, comment: request.comment, updatedAt: Fixtures.now)
        return id
    }

    func expireSilence(id: String, by person: String) async throws {
        guard var silence = silenceTable[id] else { throw APIError(.notFound, "there is no silence \(id)") }
        guard silence.state(at: Fixtures.now) != .expired else { throw APIError(.conflict, "\(id) has expired") }
        silence.endsAt = Fixtures.now
        silenceTable[id] = silence
        expiredBy[id] = person
    }

    func alerts() async throws -> [RoutedAlert] { heldAlerts }

    func status() async throws -> DaemonStatus {
        DaemonStatus(
            version: "0.1.0", runtime: "swift6.3", startedAt: Fixtures.now - .seconds(3600), name: "testhost",
            receivers: ["incidentd", "default"])
    }

    func onCall(at time: Timestamp, schedule: String?) async throws -> [OnCallStatus] {
        onCallAsked.append(time)
        guard let schedule else { return schedules }
        let found = schedules.filter { $0.name == schedule }
        guard !found.isEmpty else { throw APIError(.notFound, "there is no schedule '\(schedule)'") }
        return found
    }

    func saveArticle(_ draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle {
        if let problem = draft.problem { throw APIError(.badRequest, problem) }
        let base = KnowledgeArticle.slug(fromTitle: draft.title)
        var attempt = 1
        while kbArticles.contains(where: { $0.slug == KnowledgeArticle.slug(base, attempt: attempt) }) { attempt += 1 }
        var draft = draft
        if let number = draft.incident, draft.rule == nil { draft.rule = details[number]?.incident.rule }
        let article = KnowledgeArticle(draft, slug: KnowledgeArticle.slug(base, attempt: attempt), at: Fixtures.now)
        kbArticles.append(article)
        return article
    }

    func updateArticle(slug: String, with draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle {
        if let problem = draft.problem { throw APIError(.badRequest, problem) }
        guard let index = kbArticles.firstIndex(where: { $0.slug == slug }) else {
            throw APIError(.notFound, "there is no article '\(slug)' in the knowledge base")
        }
        var article = kbArticles[index]
        article.title = draft.title
        article.body = draft.body
        article.learnings = draft.learnings
        article.incident = draft.incident
        article.rule = draft.rule
        article.updatedAt = Fixtures.now + .seconds(60)
        kbArticles[index] = article
        return article
    }

    func article(slug: String) async throws -> KnowledgeArticle? {
        kbArticles.first { $0.slug == slug }
    }

    func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle] {
        Array(kbArticles.reversed().dropFirst(offset).prefix(limit))
    }

    /// Finds articles whose title or body contains the query, case-insensitively; the snippet marks the title.
    func searchArticles(_ query: String, limit: Int) async throws -> [KnowledgeSearchHit] {
        searches.append((query, limit))
        let text = query.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        return kbArticles.filter {
            $0.title.localizedCaseInsensitiveContains(text) || $0.body.localizedCaseInsensitiveContains(text)
        }
        .prefix(limit).map {
            KnowledgeSearchHit(
                slug: $0.slug, title: $0.title,
                snippet: "\(KnowledgeSearchHit.matchStart)\($0.title)\(KnowledgeSearchHit.matchEnd)",
                incident: $0.incident, updatedAt: $0.updatedAt)
        }
    }

    func metrics() async -> String { metricsText }

    func readiness() async -> Readiness { readinessValue }
}
