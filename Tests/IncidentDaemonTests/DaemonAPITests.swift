import Foundation
import IncidentCore
import IncidentEngine
import IncidentPayload
import IncidentServer
import IncidentStore
import Testing

@testable import IncidentDaemon

/// `DaemonAPI`, the `IncidentAPI` the HTTP server calls, over a real SQLite store and a real pipeline: what
/// each call returns, which `APIError` each refusal is (its HTTP status), and what it counts.
@Suite struct DaemonAPITests {
    let store: SQLiteStore
    let running: RunningPipeline
    let api: DaemonAPI
    /// What the readiness check answers: the daemon passes its board too (and probes the store).
    let board = ReadinessBoard()

    init(maxPayloadBytes: Int) throws {
        store = try SQLiteStore(path: tempDir() + "/api.sqlite")
        running = RunningPipeline(store: store)
        let board = board
        board.ready("socket", detail: "listening")
        api = DaemonAPI(
            pipeline: running.pipeline, store: store, decoder: PayloadDecoder(maxPayloadBytes: maxPayloadBytes),
            metrics: running.pipeline.metrics, readiness: { board.snapshot }, now: { fixedNow })
    }

    init() throws { try self.init(maxPayloadBytes: 5_242_880) }

    /// An Alertmanager webhook body with one firing `DiskFull` alert per host.
    func alertmanager(_ hosts: String...) -> Data {
        let alerts = hosts.map {
            #"{"status":"firing","labels":{"alertname":"DiskFull","host":"\#($0)"},"annotations":{},"#
                + #""startsAt":"2026-03-01T12:00:00Z"}"#
        }
        return Data(#"{"version":"4","status":"firing","alerts":[\#(alerts.joined(separator: ","))]}"#.utf8)
    }

    func metric(_ prefix: String) -> String? {
        running.pipeline.metrics.registry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) }
            .map(String.init)
    }

    /// The value of an unlabelled series in Prometheus text (gauges may print as 1 or 1.0).
    func value(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }

    /// The `APIError` code `body` throws, or nil when it throws none (or another error).
    func apiError(_ body: () async throws -> Void) async -> APIError.Code? {
        do {
            try await body()
            return nil
        } catch let error as APIError {
            return error.code
        } catch {
            Issue.record("not an APIError: \(error)")
            return nil
        }
    }

    @Test func ingestDecodesCommitsAndNamesTheIncidents() async throws {
        let receipt = try await api.ingest(alertmanager("db1", "db2"), format: "alertmanager", source: .http)
        #expect(receipt == IngestReceipt(accepted: 2, incidents: ["INC-1", "INC-2"]))
        #expect(try await store.eventCount() == 2)
        #expect(metric(#"incidentd_events_received_total{source="http"}"#)?.hasSuffix(" 2") == true)
        // Format nil: detected from the shape.
        let again = try await api.ingest(alertmanager("db1"), format: nil, source: .http)
        #expect(again == IngestReceipt(accepted: 1, incidents: ["INC-1"]))
        await running.stop()
    }

    @Test(arguments: ["journal", "prometheus", ""])
    func anUnknownFormatIsNotFound(format: String) async throws {
        #expect(
            await apiError { _ = try await api.ingest(alertmanager("db1"), format: format, source: .http) } == .notFound
        )
        #expect(try await store.eventCount() == 0)
        await running.stop()
    }

    @Test func aMalformedBodyIsABadRequestAndCountedAsRejected() async throws {
        #expect(await apiError { _ = try await api.ingest(Data("{".utf8), format: nil, source: .http) } == .badRequest)
        #expect(metric(#"incidentd_ingest_errors_total{source="http""#) != nil)
        #expect(try await store.eventCount() == 0)
        await running.stop()
    }

    @Test func aBodyOverTheLimitIsPayloadTooLarge() async throws {
        let small = try DaemonAPITests(maxPayloadBytes: 64)
        let code = await small.apiError {
            _ = try await small.api.ingest(small.alertmanager("db1"), format: "alertmanager", source: .http)
        }
        #expect(code == .payloadTooLarge)
        await small.running.stop()
        await running.stop()
    }

    @Test func ingestAfterStopIsUnavailable() async throws {
        await running.stop()
        #expect(
            await apiError { _ = try await api.ingest(alertmanager("db1"), format: nil, source: .http) } == .unavailable
        )
    }

    @Test func incidentsDefaultToActiveOnesAndTheLimitIsClamped() async throws {
        _ = try await api.ingest(alertmanager("db1", "db2", "db3"), format: nil, source: .http)
        _ = try await api.perform(.resolve, incident: 2, by: "ann", note: nil)
        let active = try await api.incidents(IncidentQuery())
        #expect(Set(active.map(\.number)) == [1, 3])
        let resolved = try await api.incidents(IncidentQuery(states: [.resolved]))
        #expect(resolved.map(\.number) == [2])
        #expect(try await api.incidents(IncidentQuery(limit: 0)).count == 1, "a limit below 1 is taken as 1")
        #expect(try await api.incidents(IncidentQuery(limit: -5)).count == 1)
        await running.stop()
    }

    @Test func incidentDetailCarriesAlertsTimelineAndNotes() async throws {
        _ = try await api.ingest(alertmanager("db1"), format: nil, source: .http)
        let note = try await api.addNote(incident: 1, by: "ann", text: "looking")
        #expect(note.text == "looking")
        let detail = try #require(try await api.incident(1))
        #expect(detail.incident.number == 1)
        #expect(detail.alerts.map { $0.labels["host"] } == ["db1"])
        #expect(!detail.timeline.isEmpty)
        #expect(detail.notes.map(\.text) == ["looking"])
        #expect(try await api.incident(99) == nil)
        await running.stop()
    }

    @Test func actionsGoThroughTheEngineAndRefusalsHaveTheirStatus() async throws {
        _ = try await api.ingest(alertmanager("db1"), format: nil, source: .http)
        let acked = try await api.perform(.acknowledge, incident: 1, by: "ann", note: "mine")
        #expect(acked.state == .acknowledged)
        #expect(try await store.incident(1)?.state == .acknowledged, "committed before perform returned")
        // Acknowledged twice: not a transition from that state.
        #expect(
            await apiError { _ = try await api.perform(.acknowledge, incident: 1, by: "bob", note: nil) } == .conflict)
        // The daemon's own transition is not an operator's.
        #expect(
            await apiError { _ = try await api.perform(.ackTimeout, incident: 1, by: "bob", note: nil) } == .badRequest)
        #expect(
            await apiError { _ = try await api.perform(.acknowledge, incident: 42, by: "bob", note: nil) } == .notFound)
        // A closed incident has left the engine; the store still knows it: a conflict, not a missing incident.
        let closed = try await api.perform(.close, incident: 1, by: "ann", note: nil)
        #expect(closed.state == .closed)
        #expect(
            await apiError { _ = try await api.perform(.acknowledge, incident: 1, by: "bob", note: nil) } == .conflict)
        await running.stop()
    }

    @Test func notesAreRefusedWhenEmptyOrForNoIncidentAndKeptForClosedOnes() async throws {
        _ = try await api.ingest(alertmanager("db1"), format: nil, source: .http)
        #expect(await apiError { _ = try await api.addNote(incident: 1, by: "ann", text: " \n\t") } == .badRequest)
        #expect(await apiError { _ = try await api.addNote(incident: 7, by: "ann", text: "hi") } == .notFound)
        _ = try await api.perform(.close, incident: 1, by: "ann", note: nil)
        let note = try await api.addNote(incident: 1, by: "ann", text: "postmortem on Monday")
        #expect(note.author == "ann")
        #expect(try await store.notes(of: 1).map(\.text) == ["postmortem on Monday"])
        await running.stop()
    }

    @Test func aReportedIncidentIsOpenedAndPrioritised() async throws {
        let incident = try await api.openReported(
            ReportedIncident(kind: .userIssue, title: "VPN drops", impact: .high, urgency: .high, by: "desk"))
        #expect(incident.number == 1)
        #expect(incident.kind == .userIssue)
        #expect(incident.title == "VPN drops")
        #expect(incident.state == .open)
        #expect(try await store.incident(1)?.title == "VPN drops")
        await running.stop()
    }

    @Test func readinessAndTheReadyGaugeFollowTheCheck() async throws {
        #expect(await api.readiness().isReady)
        let ready = await api.metrics()
        #expect(value("incidentd_ready", in: ready) == 1)
        board.problem("store", "the store does not answer")
        #expect(await api.readiness().problems == ["store": "the store does not answer"])
        let notReady = await api.metrics()
        #expect(value("incidentd_ready", in: notReady) == 0)
        await running.stop()
    }

    @Test func metricsRefreshTheEngineAndStoreFiguresAtScrapeTime() async throws {
        _ = try await api.ingest(alertmanager("db1", "db2"), format: nil, source: .http)
        let text = await api.metrics()
        #expect(value("incidentd_engine_events", in: text) == 2, "\(text)")
        #expect(value("incidentd_store_events", in: text) == 2, "\(text)")
        #expect(value("incidentd_incidents_opened", in: text) == 2, "\(text)")
        #expect(value("incidentd_engine_incidents", in: text) == 2, "\(text)")
        await running.stop()
    }
}
