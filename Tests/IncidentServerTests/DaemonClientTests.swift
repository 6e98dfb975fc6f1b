import Foundation
import IncidentClient
import IncidentCore
import Testing

@testable import IncidentServer

/// incidentctl's client against the real server with the fake API behind it: the two sides agree on every shape.
@Suite struct DaemonClientTests {
    static let incidents = [
        Fixtures.incident(1, state: .open),
        Fixtures.incident(
            2, state: .resolved, kind: .security, priority: .p2, openedAt: Fixtures.now - .seconds(7200)),
    ]

    func client(_ server: TestServer) -> DaemonClient {
        DaemonClient(socketPath: server.socketPath)
    }

    /// The client error `body` fails with, or nil when it succeeds.
    func failure(_ body: () async throws -> Void) async -> DaemonClientError? {
        do {
            try await body()
            return nil
        } catch let error as DaemonClientError {
            return error
        } catch {
            Issue.record("not a DaemonClientError: \(error)")
            return nil
        }
    }

    @Test func listDecodesTheIncidentsAndKeepsTheBody() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let response = try await client(server).incidents(IncidentFilter(state: "all", kind: nil, priority: nil))
            #expect(response.value == Self.incidents)
            let raw = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect((raw?["incidents"] as? [Any])?.count == 2)
            #expect(await server.api.queries.last?.states == Set(IncidentState.allCases))
        }
    }

    @Test func showDecodesTheDetail() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let detail = try await client(server).incident(1).value
            #expect(detail == Fixtures.detail(Self.incidents[0]))
        }
    }

    @Test func lifecycleActionsReturnTheIncident() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let acknowledged = try await client(server).perform(.acknowledge, incident: 1, by: "ana", note: "mine")
                .value
            #expect(acknowledged.state == .acknowledged)
            #expect(acknowledged.acknowledgedBy == "ana")
            let reopened = try await client(server).perform(.reopen, incident: 2, by: "bo", note: nil).value
            #expect(reopened.state == .open)
        }
    }

    @Test func aConflictCarriesTheServersMessage() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let error = await failure {
                _ = try await client(server).perform(.acknowledge, incident: 2, by: "ana", note: nil)
            }
            #expect(error?.code == .api)
            #expect(error?.status == 409)
            #expect(error?.apiCode == "conflict")
            #expect(error?.message == "INC-2 is resolved: it cannot take ack")
        }
    }

    @Test func aMissingIncidentIs404() async throws {
        try await TestServer.with(listen: nil) { server in
            let error = await failure { _ = try await client(server).incident(42) }
            #expect(error?.status == 404)
            #expect(error?.message == "there is no incident INC-42")
        }
    }

    @Test func notesOpenAndReportRoundTrip() async throws {
        let api = FakeIncidentAPI(Self.incidents)
        await api.set(reportLines: [
            ReportLine(kind: .outage, priority: .p1, count: 2, meanTimeToAcknowledge: 90, meanTimeToResolve: nil)
        ])
        try await TestServer.with(api: api, listen: nil) { server in
            let note = try await client(server).addNote(incident: 1, by: "ana", text: "a | b").value
            #expect(note.incident == 1)
            #expect(note.text == "a | b")

            let reported = try ReportedIncident(
                kind: "user_issue", title: "printer on fire", impact: "low", urgency: nil, labels: ["floor": "3"],
                by: "desk")
            let opened = try await client(server).open(reported).value
            #expect(opened.number == 3)
            #expect(opened.priority == .p4)
            #expect(opened.labels == ["floor": "3"])

            let report = try await client(server).report(since: "2026-11-01T00:00:00+01:00").value
            #expect(report.since == Timestamp(rfc3339: "2026-10-31T23:00:00Z"))
            #expect(report.total == 2)
            #expect(report.lines.first?.meanTimeToAcknowledge == 90)
            #expect(report.lines.first?.meanTimeToResolve == nil)
        }
    }

    @Test func aDaemonThatIsNotRunningIsOneClearLine() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = await failure {
            _ = try await DaemonClient(socketPath: directory + "/control.sock").incidents(IncidentFilter())
        }
        #expect(error?.code == .unreachable)
        #expect(
            error?.message
                == "cannot reach incidentd at \(directory)/control.sock: no such socket — "
                + "is it running? (--config/--socket)")
    }

    @Test func aStaleSocketIsConnectionRefused() async throws {
        let server = try await TestServer.start(listen: nil)
        await server.group.triggerGracefulShutdown()
        try await server.task.value
        // Leave a socket file nobody listens on, as kill -9 would.
        let stale = FakeIngestSocket.bindWithoutListening(server.socketPath)
        defer { try? FileManager.default.removeItem(atPath: server.directory) }
        #expect(stale)
        let error = await failure {
            _ = try await DaemonClient(socketPath: server.socketPath).incidents(IncidentFilter())
        }
        let message = error?.message ?? ""
        #expect(message.contains("connection refused — is it running?"), "\(message)")
    }
}
