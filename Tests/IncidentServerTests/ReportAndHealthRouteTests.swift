import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

@Suite struct ReportAndHealthRouteTests {
    static let lines = [
        ReportLine(kind: .security, priority: .p2, count: 1, meanTimeToAcknowledge: nil, meanTimeToResolve: nil),
        ReportLine(kind: .outage, priority: .p1, count: 3, meanTimeToAcknowledge: 252, meanTimeToResolve: 3720),
        ReportLine(kind: .degradation, priority: .p1, count: 2, meanTimeToAcknowledge: 60, meanTimeToResolve: 600),
    ]

    @Test(arguments: [
        (nil, Fixtures.now - .seconds(7 * 86_400)),
        ("30m", Fixtures.now - .seconds(1800)),
        ("2026-11-01T00:00:00Z", Timestamp(rfc3339: "2026-11-01T00:00:00Z")!),
    ])
    func theReportCountsBackFromNow(since: String?, expected: Timestamp) async throws {
        let api = FakeIncidentAPI()
        await api.set(reportLines: Self.lines)
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/report" + (since.map { "?since=\($0)" } ?? ""))
            #expect(reply.status == 200)
            #expect(await server.api.reportSince == expected)
            #expect(reply.json["since"] as? String == expected.rfc3339)
            #expect(reply.json["total"] as? Int == 6)
            let lines = reply.json["lines"] as? [[String: Any]] ?? []
            // By priority, then kind.
            #expect(
                lines.map { "\($0["priority"]!) \($0["kind"]!)" } == ["P1 degradation", "P1 outage", "P2 security"])
            #expect(lines[1]["mtta_seconds"] as? Double == 252)
            #expect(lines[2]["mtta_seconds"] is NSNull)
        }
    }

    @Test func aBadSinceIs400() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/report?since=lastweek")
            #expect(reply.status == 400)
            #expect((reply.json["error"] as? String)?.contains("lastweek") == true)
        }
    }

    @Test func metricsAreThePrometheusTextFormat() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["Content-Type"].first == "text/plain; version=0.0.4; charset=utf-8")
            #expect(reply.text.contains("incidentd_events_total 3"))
        }
    }

    @Test func healthzIsOkWhileServing() async throws {
        try await TestServer.with { server in
            for tcp in [false, true] {
                let reply = try await server.request(.GET, "/healthz", tcp: tcp)
                #expect(reply.status == 200)
                #expect(reply.text == "ok\n")
            }
        }
    }

    @Test func readyzIs200WhenEveryPartIsFine() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/readyz")
            #expect(reply.status == 200)
            #expect(reply.json["ready"] as? Bool == true)
            #expect(reply.json["details"] as? [String: String] == ["store": "ok"])
        }
    }

    @Test func readyzIs503WithTheProblems() async throws {
        let api = FakeIncidentAPI()
        await api.set(readiness: Readiness(problems: ["journal": "cannot open /var/log/journal"], details: [:]))
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/readyz")
            #expect(reply.status == 503)
            #expect(reply.json["ready"] as? Bool == false)
            #expect(reply.json["problems"] as? [String: String] == ["journal": "cannot open /var/log/journal"])
        }
    }
}
