import Foundation
import IncidentCore
import IncidentEngine
import IncidentIngest
import IncidentServer

/// The daemon's side of the HTTP API: reads come from the store, changes go through the pipeline so the engine
/// and the store see one order.
public struct DaemonAPI: IncidentAPI {
    let pipeline: IngestPipeline
    let store: any IncidentStore
    /// The knowledge base; nil when the store keeps none (its routes then answer 503).
    let knowledgeBase: (any KnowledgeBaseStore)?
    let decoder: PayloadDecoder
    let metricsRegistry: DaemonMetrics
    let readinessCheck: @Sendable () async -> Readiness
    let now: @Sendable () -> Timestamp
    /// When the daemon started, for `GET /api/v2/status`'s `uptime`.
    let startedAt: Timestamp
    /// Bumped when a note lands outside the pipeline (on a closed incident), for the pages' live updates.
    let changes: ChangeFeed

    public init(
        pipeline: IngestPipeline, store: any IncidentStore, knowledgeBase: (any KnowledgeBaseStore)? = nil,
        decoder: PayloadDecoder, metrics: DaemonMetrics, readiness: @escaping @Sendable () async -> Readiness,
        now: @escaping @Sendable () -> Timestamp = { Timestamp.wallClock() }, changes: ChangeFeed = ChangeFeed()
    ) {
        self.changes = changes
        self.pipeline = pipeline
        self.store = store
        self.knowledgeBase = knowledgeBase ?? store as? any KnowledgeBaseStore
        self.decoder = decoder
        self.metricsRegistry = metrics
        self.readinessCheck = readiness
        self.now = now
        self.startedAt = now()
    }

    public func ingest(_ body: Data, format: String?, source: EventSource) async throws -> IngestReceipt {
        try await Self.ingest(
            body, format: format, source: source, decoder: decoder, into: pipeline, metrics: metricsRegistry,
            receivedAt: now())
    }

    /// Decodes a payload from an API caller and commits its events to `sink` (the leader's pipeline, or a
    /// standby's relay), with the errors as HTTP statuses: an unknown format 404, a bad payload 400 (413 too
    /// large), a store that cannot commit 503.
    static func ingest(
        _ body: Data, format: String?, source: EventSource, decoder: PayloadDecoder, into sink: any EventSink,
        metrics: DaemonMetrics, receivedAt: Timestamp
    ) async throws -> IngestReceipt {
        var payloadFormat: PayloadFormat?
        if let format {
            guard let known = PayloadFormat(rawValue: format), known != .journal else {
                throw APIError(
                    .notFound,
                    "unknown payload format '\(format)'; use alertmanager, pagerduty, grafana or generic")
            }
            payloadFormat = known
        }
        let events: [Event]
        // The API's callers hold operator rights (the control socket's group, or the bearer token on TCP), so a
        // PagerDuty acknowledge may act here; on the ingest socket and the spool it is refused.
        var decoder = decoder
        decoder.acceptsAcknowledgements = true
        do {
            events = try decoder.decode(body, format: payloadFormat, source: source, receivedAt: receivedAt)
        } catch {
            metrics.rejected(source: source.rawValue, code: error.code).increment()
            throw APIError(error.code == "too-large" ? .payloadTooLarge : .badRequest, error.description)
        }
        metrics.received(source: source.rawValue).increment(by: events.count)
        do {
            return try await sink.ingest(events)
        } catch {
            switch error.code {
            case .invalid: throw APIError(.badRequest, error.message)
            case .shuttingDown, .storeFailed: throw APIError(.unavailable, error.message)
            }
        }
    }

    public func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        let states = query.states.isEmpty ? [.open, .acknowledged] : query.states
        let incidents = try await store.incidents(
            states: states, kind: query.kind, priority: query.priority, limit: max(1, min(query.limit, 10_000)))
        return await pipeline.overlay(incidents)
    }

    public func incidentPage(_ search: IncidentSearch) async throws -> IncidentPage {
        var search = search
        search.limit = max(1, min(search.limit, 10_000))
        var page = try await store.searchIncidents(search)
        page.incidents = await pipeline.overlay(page.incidents)
        return page
    }

    public func incident(_ number: Int) async throws -> IncidentDetail? {
        guard let incident = try await store.incident(number) else { return nil }
        async let alerts = store.alerts(of: number)
        async let timeline = store.timeline(of: number)
        async let notes = store.notes(of: number)
        let rule = incident.rule
        let runbook = await pipeline.inspect { engine in
            engine.ruleSet.rules.first { $0.name == rule }?.runbook?.text
        }
        // The counts of alerts seen again may not be written yet (`DeferredActivity`): as held, they are current.
        let current = await pipeline.overlay([incident])[0]
        return IncidentDetail(
            incident: current, alerts: await pipeline.overlay(try await alerts), timeline: try await timeline,
            notes: try await notes, runbook: runbook)
    }

    public func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?)
        async throws -> Incident
    {
        guard action != .ackTimeout else {
            throw APIError(.badRequest, "ack_timeout is the daemon's own transition; use ack, resolve, close or reopen")
        }
        do {
            return try await pipeline.execute { engine, time in
                let effects = try engine.perform(action, incident: number, by: person, note: note, at: time)
                guard let incident = engine.snapshot(number) ?? Self.lastSnapshot(effects, number) else {
                    throw APIError(.notFound, "\(Incident.id(number)) left the working set")
                }
                return (incident, effects)
            }
        } catch let error as EngineError {
            throw try await explain(error, number: number, action: action.rawValue)
        }
    }

    public func merge(incident source: Int, into target: Int, by person: String) async throws -> Incident {
        do {
            return try await pipeline.execute { engine, time in
                let effects = try engine.merge(source, into: target, by: person, at: time)
                guard let incident = engine.snapshot(target) ?? Self.lastSnapshot(effects, target) else {
                    throw APIError(.notFound, "\(Incident.id(target)) left the working set")
                }
                return (incident, effects)
            }
        } catch let error as EngineError {
            throw try await explain(error, numbers: [source, target], action: "merge")
        }
    }

    public func split(incident number: Int, alert fingerprint: Fingerprint, by person: String) async throws
        -> Incident
    {
        do {
            return try await pipeline.execute { engine, time in
                let (new, effects) = try engine.split(number, alert: fingerprint, by: person, at: time)
                guard let incident = engine.snapshot(new) ?? Self.lastSnapshot(effects, new) else {
                    throw APIError(.notFound, "\(Incident.id(new)) left the working set")
                }
                return (incident, effects)
            }
        } catch let error as EngineError {
            throw try await explain(error, numbers: [number], action: "split")
        }
    }

    public func addNote(incident number: Int, by person: String, text: String) async throws -> IncidentNote {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(.badRequest, "the note is empty")
        }
        guard try await store.incident(number) != nil else {
            throw APIError(.notFound, "there is no incident \(Incident.id(number))")
        }
        // Open incidents also get a timeline line through the engine; closed ones only the note.
        do {
            _ = try await pipeline.execute { engine, time in
                ((), try engine.note(incident: number, text: text, by: person, at: time))
            }
        } catch let error as EngineError where error.code == .notFound {}
        let note = try await store.addNote(incident: number, author: person, text: text, at: now())
        changes.bump()
        return note
    }

    public func openReported(_ request: ReportedIncident) async throws -> Incident {
        do {
            return try await pipeline.execute { engine, time in
                let (number, effects) = try engine.openReported(
                    kind: request.kind, title: request.title, impact: request.impact, urgency: request.urgency,
                    labels: request.labels, by: request.by, at: time)
                guard let incident = engine.snapshot(number) ?? Self.lastSnapshot(effects, number) else {
                    throw APIError(.notFound, "\(Incident.id(number)) left the working set")
                }
                return (incident, effects)
            }
        } catch let error as EngineError {
            throw APIError(.badRequest, error.message)
        }
    }

    public func report(since: Timestamp) async throws -> [ReportLine] {
        try await store.report(since: since)
    }

    public func metrics() async -> String {
        let figures = await pipeline.engineFigures()
        let m = metricsRegistry
        let s = figures.stats
        m.engineEvents.set(Int64(s.eventsIn))
        let buckets: [String: Int] = [
            "absorbed": s.absorbed, "pending": s.pending, "below_threshold": s.belowThreshold, "dropped": s.dropped,
            "unmatched": s.unmatched, "stale": s.stale,
        ]
        for (name, value) in buckets { m.engineBuckets[name]?.set(Int64(value)) }
        m.incidentsOpened.set(Int64(s.incidentsOpened))
        m.incidentsResolved.set(Int64(s.incidentsResolved))
        m.incidentsClosed.set(Int64(s.incidentsClosed))
        m.workingIncidents.set(Int64(figures.workingIncidents))
        m.workingAlerts.set(Int64(figures.workingAlerts))
        m.pendingEvents.set(Int64(figures.pendingEvents))
        m.timers.set(Int64(figures.timers))
        for (state, gauge) in m.silences { gauge.set(Int64(figures.silences[state] ?? 0)) }
        m.silencedIncidents.set(Int64(figures.silencedIncidents))
        if let count = try? await store.eventCount() { m.storeEvents.set(Int64(count)) }
        let time = now()
        if let outbox = try? await store.outboxStatus(at: time) {
            m.outboxPending.set(Int64(outbox.pending))
            let age: Double = outbox.oldestDue.map { Double((time - $0).microseconds) / 1e6 } ?? 0
            m.outboxOldestDueSeconds.set(age)
        }
        let isReady = await readinessCheck().isReady
        m.ready.set(Int64(isReady ? 1 : 0))
        m.runScrapeHooks()
        return m.registry.emitToString()
    }

    public func readiness() async -> Readiness {
        await readinessCheck()
    }

    // MARK: -

    static func lastSnapshot(_ effects: [Effect], _ number: Int) -> Incident? {
        for effect in effects.reversed() {
            if let incident = effect.incidentSnapshot, incident.number == number { return incident }
        }
        return nil
    }

    /// An engine refusal in the operator's terms: a closed incident is a conflict, not a missing one.
    func explain(_ error: EngineError, number: Int, action: String) async throws -> APIError {
        try await explain(error, numbers: [number], action: action)
    }

    /// The same for a command about several incidents (merge): the first one the engine does not hold is named.
    func explain(_ error: EngineError, numbers: [Int], action: String) async throws -> APIError {
        switch error.code {
        case .notFound:
            // The engine's message starts with the id it could not find.
            let number = numbers.first { error.message.hasPrefix(Incident.id($0) + " ") } ?? numbers[0]
            if let incident = try await store.incident(number) {
                return APIError(
                    .conflict,
                    "\(incident.id) is \(incident.state.rawValue); \(action) is not possible from that state")
            }
            return APIError(.notFound, "there is no incident \(Incident.id(number))")
        case .invalidTransition: return APIError(.conflict, error.message)
        case .invalidInput: return APIError(.badRequest, error.message)
        }
    }
}
