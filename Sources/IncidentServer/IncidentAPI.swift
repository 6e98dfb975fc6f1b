import Foundation
import IncidentCore

/// What the HTTP API needs from the daemon (SPEC §8). The server knows neither SQLite nor the engine: the
/// daemon's composition root conforms to this protocol, and tests give an in-memory version.
///
/// Errors thrown are `APIError`s; anything else becomes a 500 with its description.
public protocol IncidentAPI: Sendable {
    /// Decodes a payload (`format` nil = detect; `alertmanager`, `pagerduty`, `grafana`, `generic`) and waits
    /// for its commit. `.invalid` IngestErrors become 400, `.shuttingDown`/`.storeFailed` 503.
    func ingest(_ body: Data, format: String?, source: EventSource) async throws -> IngestReceipt

    /// Incidents matching the query, newest opened first.
    func incidents(_ query: IncidentQuery) async throws -> [Incident]
    /// One page of incidents matching a search, newest opened first, and how many match in all (the console).
    func incidentPage(_ search: IncidentSearch) async throws -> IncidentPage
    /// One incident with its alerts, timeline and notes; nil when there is none with that number.
    func incident(_ number: Int) async throws -> IncidentDetail?
    /// ack, resolve, close or reopen; returns the incident after the change.
    func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?) async throws
        -> Incident
    /// Merges incident `source` into `target` (SPEC §13): its alerts move, it closes; returns the target after.
    func merge(incident source: Int, into target: Int, by person: String) async throws -> Incident
    /// Moves the alert with that Alertmanager fingerprint out of the incident into a new incident of its own
    /// (SPEC §13); returns the new incident.
    func split(incident number: Int, alert fingerprint: Fingerprint, by person: String) async throws -> Incident
    /// Adds a note (also to closed incidents).
    func addNote(incident number: Int, by person: String, text: String) async throws -> IncidentNote
    /// Logs an incident a person reported; it is prioritised and escalated like any other.
    func openReported(_ request: ReportedIncident) async throws -> Incident
    /// Counts, MTTA and MTTR by kind and priority for incidents opened at or after `since`.
    func report(since: Timestamp) async throws -> [ReportLine]
    /// Per UTC day and kind, the incidents opened at or after `since` and before `until` (rows with a count; the
    /// route fills in the days and kinds with none).
    func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount]

    /// The rules in effect now (they change on reload), in evaluation order.
    func rules() async throws -> [RuleSummary]
    /// Per rule, the incidents opened at or after `since`, with their events and alerts.
    func ruleActivity(since: Timestamp) async throws -> [RuleActivity]
    /// Decodes a payload as `incidentctl rules explain --event` does (`format` nil = detect, also `journal`;
    /// `source` the source the events are taken to come from) and explains each event against the rules in
    /// effect, with every rule tried when `trace`. A payload that cannot be decoded is a 400 with the decoder's
    /// message.
    func explain(_ body: Data, format: String?, source: EventSource?, trace: Bool) async throws -> [EventExplanation]

    /// Every silence the daemon keeps (pending, active and expired), by start then id (SPEC §11).
    func silences() async throws -> [Silence]
    /// Adds a silence (`id` nil) or updates one, and returns its id. The body is already validated; an unknown
    /// `id` is a 404.
    func upsertSilence(_ silence: PostableSilence) async throws -> String
    /// Expires a silence now; 404 for an unknown id, 409 for one already expired.
    func expireSilence(id: String, by person: String) async throws
    /// The alerts held in open incidents, each with the receiver its incident escalates to.
    func alerts() async throws -> [RoutedAlert]
    /// What `GET /api/v2/status` and `GET /api/v2/receivers` report.
    func status() async throws -> DaemonStatus
    /// Who is on call at `time` in every schedule, or in the one named; 404 for an unknown name (SPEC §12).
    func onCall(at time: Timestamp, schedule: String?) async throws -> [OnCallStatus]

    /// Saves a new knowledge-base article (SPEC §14) and returns it with its slug; 400 when the draft has a
    /// `problem`. The rule is the incident's when the draft names an incident and no rule; 404 for an unknown
    /// incident.
    func saveArticle(_ draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle
    /// Replaces the text of the article with this slug; 404 for an unknown slug, 400 when the draft has a
    /// `problem`.
    func updateArticle(slug: String, with draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle
    /// The article with this slug, or nil.
    func article(slug: String) async throws -> KnowledgeArticle?
    /// Articles, most recently updated first.
    func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle]
    /// Articles matching every word of the plain-text `query`, best first; none for an empty query.
    func searchArticles(_ query: String, limit: Int) async throws -> [KnowledgeSearchHit]

    /// Prometheus text exposition of every metric.
    func metrics() async -> String
    /// Whether every source is open, the store answers and escalation is not overdue, with a detail per part.
    func readiness() async -> Readiness
}
