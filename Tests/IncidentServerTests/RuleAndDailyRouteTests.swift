import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

/// The routes behind the console's rules and reports pages (SPEC §14).
@Suite struct RuleAndDailyRouteTests {
    static let rules = [
        RuleSummary(
            name: "host-down", location: "rules/40-prometheus.yaml:19", kind: .outage,
            matchers: [#"alertname=~"HostDown|InstanceDown""#], groupBy: ["alertname", "job"], drop: false,
            continues: false, escalation: ["page-now", "default"], correlationGroups: []),
        RuleSummary(
            name: "noise", location: "rules/40-prometheus.yaml:12", kind: .outage, matchers: [#"alertname="Watchdog""#],
            groupBy: nil, drop: true, continues: false, escalation: [], correlationGroups: ["g"]),
    ]

    @Test func rulesListsTheLoadedRulesInOrderWithTheirActivity() async throws {
        let api = FakeIncidentAPI()
        await api.set(
            rules: Self.rules,
            activity: [
                RuleActivity(rule: "host-down", incidents: 2, events: 9, alerts: 3, lastOpenedAt: Fixtures.now),
                RuleActivity(rule: "removed-rule", incidents: 1, events: 1, alerts: 1, lastOpenedAt: Fixtures.now),
            ])
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/rules")
            #expect(reply.status == 200)
            #expect(await server.api.activitySince == Fixtures.now - .seconds(7 * 86_400))
            let rules = try #require(reply.json["rules"] as? [[String: Any]])
            #expect(rules.map { $0["name"] as? String } == ["host-down", "noise"])
            #expect(rules[0]["location"] as? String == "rules/40-prometheus.yaml:19")
            #expect(rules[0]["kind"] as? String == "outage")
            #expect(rules[0]["matchers"] as? [String] == [#"alertname=~"HostDown|InstanceDown""#])
            #expect(rules[0]["group_by"] as? [String] == ["alertname", "job"])
            #expect(rules[1]["group_by"] is NSNull)
            #expect(rules[1]["drop"] as? Bool == true)
            #expect(rules[0]["escalation"] as? [String] == ["page-now", "default"])
            #expect(rules[1]["correlation_groups"] as? [String] == ["g"])
            let hit = try #require(rules[0]["activity"] as? [String: Any])
            #expect(hit["incidents"] as? Int == 2)
            #expect(hit["events"] as? Int == 9)
            #expect(hit["alerts"] as? Int == 3)
            #expect(hit["last_incident_at"] as? String == Fixtures.now.rfc3339)
            let quiet = try #require(rules[1]["activity"] as? [String: Any])
            #expect(quiet["incidents"] as? Int == 0)
            #expect(quiet["last_incident_at"] is NSNull)
            let other = try #require(reply.json["other_activity"] as? [[String: Any]])
            #expect(other.map { $0["rule"] as? String } == ["removed-rule"])
        }
    }

    @Test func rulesTakesSinceLikeTheReport() async throws {
        let api = FakeIncidentAPI()
        try await TestServer.with(api: api, listen: nil) { server in
            #expect(try await server.request(.GET, "/api/v1/rules?since=30m").status == 200)
            #expect(await server.api.activitySince == Fixtures.now - .seconds(1800))
            let bad = try await server.request(.GET, "/api/v1/rules?since=yesterday")
            #expect(bad.status == 400)
            #expect((bad.json["error"] as? String)?.contains("yesterday") == true)
        }
    }

    @Test func explainAnswersOneExplanationPerEvent() async throws {
        let api = FakeIncidentAPI()
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/rules/explain?format=generic&source=spool&trace=true",
                body: #"[{"labels":{"alertname":"A"}},{"labels":{"alertname":"B"}}]"#)
            #expect(reply.status == 200, "\(reply.text)")
            let explanations = try #require(reply.json["explanations"] as? [[String: Any]])
            #expect(explanations.map { $0["rule"] as? String } == ["echo", "echo"])
            #expect(explanations[1]["input_labels"] as? [String: String] == ["alertname": "B"])
            #expect(explanations[0]["source"] as? String == "spool")
            #expect(explanations[0]["group_key"] as? String == "echo/1")
            #expect(explanations[0]["rule_location"] as? String == "rules/echo.yaml:3:5", "slashes unescaped")
            #expect((explanations[0]["trace"] as? [Any])?.count == 1)
            let asked = try #require(await server.api.explained.first)
            #expect(asked.format == "generic")
            #expect(asked.source == .spool)
            #expect(asked.trace)
        }
    }

    @Test func explainRefusesBadInput() async throws {
        try await TestServer.with(listen: nil, maxBodyBytes: 64) { server in
            let bad = try await server.request(.POST, "/api/v1/rules/explain", body: "{not json")
            #expect(bad.status == 400)
            #expect((bad.json["error"] as? String)?.contains("not valid JSON") == true)
            let empty = try await server.request(.POST, "/api/v1/rules/explain", body: "")
            #expect(empty.status == 400)
            let source = try await server.request(.POST, "/api/v1/rules/explain?source=carrier-pigeon", body: "{}")
            #expect(source.status == 400)
            #expect((source.json["error"] as? String)?.contains("carrier-pigeon") == true)
            let large = try await server.request(
                .POST, "/api/v1/rules/explain", body: #"{"labels":{"a":"\#(String(repeating: "x", count: 100))"}}"#)
            #expect(large.status == 413)
            #expect(await server.api.explained.count == 1, "only the JSON that the decoder refused got to the API")
        }
    }

    @Test func dailyHasEveryDayAndKindOfTheLast30DaysByDefault() async throws {
        let api = FakeIncidentAPI()
        await api.set(dailyRows: [
            DailyCount(day: "2026-11-22", kind: .outage, count: 2),
            DailyCount(day: "2026-11-20", kind: .security, count: 1),
        ])
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/report/daily")
            #expect(reply.status == 200)
            // Fixtures.now is 2026-11-22T07:00Z: 30 days back is 2026-10-23T07:00Z, counted from its midnight.
            let asked = try #require(await server.api.dailyAsked.first)
            #expect(asked.since == Timestamp(rfc3339: "2026-10-23T00:00:00Z")!)
            #expect(asked.until == Fixtures.now)
            #expect(reply.json["since"] as? String == "2026-10-23T00:00:00Z")
            let days = try #require(reply.json["days"] as? [String])
            #expect(days.count == 31)
            #expect(days.first == "2026-10-23")
            #expect(days.last == "2026-11-22")
            let series = try #require(reply.json["series"] as? [[String: Any]])
            #expect(series.map { $0["kind"] as? String } == ["outage", "degradation", "security", "user_issue"])
            #expect((series[0]["counts"] as? [Int])?.last == 2)
            #expect((series[2]["counts"] as? [Int])?[28] == 1)
            #expect((series[1]["counts"] as? [Int]) == Array(repeating: 0, count: 31))
            #expect((reply.json["totals"] as? [Int])?.reduce(0, +) == 3)
        }
    }

    @Test func dailyKeepsToAYear() async throws {
        let api = FakeIncidentAPI()
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/report/daily?since=2000-01-01T00:00:00Z")
            #expect(reply.status == 200)
            #expect((reply.json["days"] as? [String])?.count == 366)
            #expect(try await server.request(.GET, "/api/v1/report/daily?since=soon").status == 400)
        }
    }
}
