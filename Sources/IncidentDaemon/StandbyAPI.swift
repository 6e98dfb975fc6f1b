import Foundation
import IncidentCore
import IncidentIngest
import IncidentPostgres
import IncidentServer

/// The HTTP API of a standby (SPEC §15): it ingests, as every instance does, into the relay, and answers
/// `/metrics`, `/healthz` and `/readyz` (503, with its role and who leads). Everything else (incidents,
/// silences, rules, the knowledge base, the pages' data) lives in the leader's engine, so it answers 503 with a
/// message naming the leader: a proxy in front of several instances sends people to the one whose `/readyz`
/// answers 200, and senders (Prometheus lists every instance as an Alertmanager) may post to any of them.
struct StandbyAPI: IncidentAPI {
    let store: PostgresStore
    let sink: any EventSink
    let decoder: PayloadDecoder
    let metricsRegistry: DaemonMetrics
    let board: ReadinessBoard
    let instance: String
    let now: @Sendable () -> Timestamp

    func ingest(_ body: Data, format: String?, source: EventSource) async throws -> IngestReceipt {
        try await DaemonAPI.ingest(
            body, format: format, source: source, decoder: decoder, into: sink, metrics: metricsRegistry,
            receivedAt: now())
    }

    /// Who leads, for messages and `/readyz`; what is known when the store does not answer.
    func leaderText() async -> String {
        do {
            guard let lease = try await store.leadership(), !lease.expired else {
                return "no instance leads the store right now (one takes over within ha.failover)"
            }
            return "\(lease.holder) leads the store (term \(lease.term))"
        } catch {
            return "the store does not answer to say who leads: \(error)"
        }
    }

    func refused() async -> APIError {
        APIError(
            .unavailable,
            "this instance (\(instance)) is a standby: it ingests alerts into the shared store, and \(await leaderText()); "
                + "incidents, silences, rules and the pages are served by the leader")
    }

    func incidents(_ query: IncidentQuery) async throws -> [Incident] { throw await refused() }
    func incidentPage(_ search: IncidentSearch) async throws -> IncidentPage { throw await refused() }
    func incident(_ number: Int) async throws -> IncidentDetail? { throw await refused() }
    func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?) async throws
        -> Incident
    { throw await refused() }
    func merge(incident source: Int, into target: Int, by person: String) async throws -> Incident {
        throw await refused()
    }
    func split(incident number: Int, alert fingerprint: Fingerprint, by person: String) async throws -> Incident {
        throw await refused()
    }
    func addNote(incident number: Int, by person: String, text: String) async throws -> IncidentNote {
        throw await refused()
    }
    func openReported(_ request: ReportedIncident) async throws -> Incident { throw await refused() }
    func report(since: Timestamp) async throws -> [ReportLine] { throw await refused() }
    func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] { throw await refused() }
    func rules() async throws -> [RuleSummary] { throw await refused() }
    func ruleActivity(since: Timestamp) async throws -> [RuleActivity] { throw await refused() }
    func explain(_ body: Data, format: String?, source: EventSource?, trace: Bool) async throws -> [EventExplanation] {
        throw await refused()
    }
    func silences() async throws -> [Silence] { throw await refused() }
    func upsertSilence(_ silence: PostableSilence) async throws -> String { throw await refused() }
    func expireSilence(id: String, by person: String) async throws { throw await refused() }
    func alerts() async throws -> [RoutedAlert] { throw await refused() }
    func status() async throws -> DaemonStatus { throw await refused() }
    func onCall(at time: Timestamp, schedule: String?) async throws -> [OnCallStatus] { throw await refused() }
    func saveArticle(_ draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle { throw await refused() }
    func updateArticle(slug: String, with draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle {
        throw await refused()
    }
    func article(slug: String) async throws -> KnowledgeArticle? { throw await refused() }
    func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle] { throw await refused() }
    func searchArticles(_ query: String, limit: Int) async throws -> [KnowledgeSearchHit] { throw await refused() }
    func articleReviewing(incident number: Int) async throws -> KnowledgeArticle? { throw await refused() }

    func metrics() async -> String {
        let ready = await readiness().isReady
        metricsRegistry.ready.set(Int64(ready ? 1 : 0))
        metricsRegistry.runScrapeHooks()
        return metricsRegistry.registry.emitToString()
    }

    /// Not ready (503) by design: a standby serves no console or API, and a proxy must not send people to it.
    /// The parts it runs (sources, listeners) are shown as on the leader, with its role.
    func readiness() async -> Readiness {
        var readiness = board.snapshot
        readiness.problems["leadership"] = "standby: \(await leaderText()); this instance ingests into the relay"
        readiness.details["role"] = "standby"
        return readiness
    }
}
