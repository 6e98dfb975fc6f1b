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
    /// One incident with its alerts, timeline and notes; nil when there is none with that number.
    func incident(_ number: Int) async throws -> IncidentDetail?
    /// ack, resolve, close or reopen; returns the incident after the change.
    func perform(_ action: IncidentState.Action, incident number: Int, by person: String, note: String?) async throws
        -> Incident
    /// Adds a note (also to closed incidents).
    func addNote(incident number: Int, by person: String, text: String) async throws -> IncidentNote
    /// Logs an incident a person reported; it is prioritised and escalated like any other.
    func openReported(_ request: ReportedIncident) async throws -> Incident
    /// Counts, MTTA and MTTR by kind and priority for incidents opened at or after `since`.
    func report(since: Timestamp) async throws -> [ReportLine]

    /// Prometheus text exposition of every metric.
    func metrics() async -> String
    /// Whether every source is open, the store answers and escalation is not overdue, with a detail per part.
    func readiness() async -> Readiness
}

/// Filters of `GET /api/v1/incidents`.
public struct IncidentQuery: Sendable, Hashable {
    /// Empty means the active ones (open and acknowledged).
    public var states: Set<IncidentState>
    public var kind: IncidentKind?
    public var priority: Priority?
    public var limit: Int

    public init(states: Set<IncidentState> = [], kind: IncidentKind? = nil, priority: Priority? = nil, limit: Int = 500)
    {
        self.states = states
        self.kind = kind
        self.priority = priority
        self.limit = limit
    }
}

/// `incidentctl show`: an incident with everything that happened to it.
public struct IncidentDetail: Sendable, Hashable {
    public var incident: Incident
    public var alerts: [AlertSnapshot]
    public var timeline: [TimelineEntry]
    public var notes: [IncidentNote]

    public init(incident: Incident, alerts: [AlertSnapshot], timeline: [TimelineEntry], notes: [IncidentNote]) {
        self.incident = incident
        self.alerts = alerts
        self.timeline = timeline
        self.notes = notes
    }
}

/// `POST /api/v1/incidents` and `incidentctl open`.
public struct ReportedIncident: Sendable, Hashable {
    public var kind: IncidentKind
    public var title: String
    public var impact: Impact
    public var urgency: Urgency
    public var labels: Labels
    public var by: String

    public init(kind: IncidentKind, title: String, impact: Impact, urgency: Urgency, labels: Labels, by: String) {
        self.kind = kind
        self.title = title
        self.impact = impact
        self.urgency = urgency
        self.labels = labels
        self.by = by
    }
}

/// `GET /readyz`: ready when every part is.
public struct Readiness: Sendable, Hashable {
    /// Per part (`store`, `socket`, `spool`, `journal`, `escalation`): nil when fine, else what is wrong.
    public var problems: [String: String]
    public var details: [String: String]

    public init(problems: [String: String] = [:], details: [String: String] = [:]) {
        self.problems = problems
        self.details = details
    }

    public var isReady: Bool { problems.isEmpty }
}

/// A failure to report as an HTTP status with a JSON body `{"error": message, "code": code}`.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case badRequest = "bad_request"  // 400
        case unauthorized  // 401
        case notFound = "not_found"  // 404
        case conflict  // 409: the transition is not allowed from the incident's state
        case payloadTooLarge = "payload_too_large"  // 413
        case unavailable  // 503: stopping, or the store is failing
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
