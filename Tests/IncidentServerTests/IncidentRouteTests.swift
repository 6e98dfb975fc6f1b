import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

@Suite struct IncidentRouteTests {
    static let incidents = [
        Fixtures.incident(1, state: .open, kind: .outage, priority: .p1, openedAt: Fixtures.now - .seconds(300)),
        Fixtures.incident(2, state: .acknowledged, kind: .degradation, priority: .p3),
        Fixtures.incident(3, state: .resolved, kind: .security, priority: .p2),
        Fixtures.incident(4, state: .closed, kind: .outage, priority: .p1),
    ]

    func ids(_ reply: TestServer.Reply) -> [String] {
        (reply.json["incidents"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func theListIsTheActiveIncidentsByDefault() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents")
            #expect(reply.status == 200)
            #expect(ids(reply) == ["INC-1", "INC-2"])
            #expect(await server.api.queries.last == IncidentQuery())
        }
    }

    @Test(arguments: [
        ("state=all", IncidentQuery(states: Set(IncidentState.allCases))),
        ("state=open,closed", IncidentQuery(states: [.open, .closed])),
        ("kind=security&state=all", IncidentQuery(states: Set(IncidentState.allCases), kind: .security)),
        ("priority=p1&limit=1", IncidentQuery(priority: .p1, limit: 1)),
        ("priority=P3", IncidentQuery(priority: .p3)),
    ])
    func queryParametersBecomeTheQuery(query: String, expected: IncidentQuery) async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents?\(query)")
            #expect(reply.status == 200)
            #expect(await server.api.queries.last == expected)
        }
    }

    @Test(arguments: [
        ("state=pending", "open, acknowledged, resolved, closed, all"),
        ("kind=fire", "outage, degradation, security, user_issue"),
        ("priority=P9", "P1, P2, P3, P4, P5"),
        ("limit=0", "1 to 10000"),
        ("limit=many", "1 to 10000"),
    ])
    func badQueryValuesAre400NamingTheValidOnes(query: String, valid: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents?\(query)")
            #expect(reply.status == 400)
            #expect(reply.json["code"] as? String == "bad_request")
            let message = reply.json["error"] as? String ?? ""
            #expect(message.contains(valid), "\(message)")
        }
    }

    @Test(arguments: ["INC-2", "2"])
    func showReturnsTheIncidentWithAlertsTimelineAndNotes(id: String) async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents/\(id)")
            #expect(reply.status == 200)
            let detail = try JSONDecoder().decode(IncidentDetail.self, from: reply.body)
            #expect(detail == Fixtures.detail(Self.incidents[1]))
            let json = reply.json
            #expect(json["id"] as? String == "INC-2")
            #expect((json["alert_list"] as? [Any])?.count == 2)
            #expect((json["timeline"] as? [Any])?.count == 4)
            let note = (json["notes"] as? [[String: Any]])?.first
            #expect(note?["by"] as? String == "ana")
            #expect(note?["at"] as? String == (Self.incidents[1].openedAt + .seconds(420)).rfc3339)
        }
    }

    @Test(arguments: ["INC-99", "99", "abc", "INC-0"])
    func anUnknownIncidentIs404(id: String) async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents/\(id)")
            #expect(reply.status == 404)
            #expect(reply.json["code"] as? String == "not_found")
        }
    }

    @Test func aReportedIncidentIs201WithItsLocation() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let body = """
                {"kind":"user_issue","title":"VPN drops","impact":"low","urgency":"high","labels":{"team":"net"},\
                "by":"desk"}
                """
            let reply = try await server.request(.POST, "/api/v1/incidents", body: body)
            #expect(reply.status == 201)
            let incident = try JSONDecoder().decode(Incident.self, from: reply.body)
            #expect(incident.number == 5)
            #expect(incident.kind == .userIssue)
            #expect(incident.priority == .p3)
            #expect(incident.labels == ["team": "net"])
            #expect(reply.headers["Location"].first == "/api/v1/incidents/INC-5")
        }
    }

    @Test func aReportedIncidentDefaultsToMediumImpactAndUrgency() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/incidents", body: #"{"kind":"outage","title":"mail down","by":"desk"}"#)
            #expect(reply.status == 201)
            #expect(reply.json["impact"] as? String == "medium")
            #expect(reply.json["urgency"] as? String == "medium")
            #expect(reply.json["priority"] as? String == "P3")
        }
    }

    @Test(arguments: [
        (#"{"kind":"fire","title":"x","by":"a"}"#, "outage, degradation, security, user_issue"),
        (#"{"title":"x","by":"a"}"#, "kind is required"),
        (#"{"kind":"outage","title":"","by":"a"}"#, "title is required"),
        (#"{"kind":"outage","title":"x"}"#, "by is required"),
        (#"{"kind":"outage","title":"x","by":"a","impact":"huge"}"#, "high, medium, low"),
        (#"{"kind":"outage","title":"x","by":"a","labels":{"a":1}}"#, "labels.a must be a string"),
        (#"{"kind":"outage","#, "not valid JSON"),
    ])
    func aBadReportedIncidentIs400SayingWhy(body: String, message: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents", body: body)
            #expect(reply.status == 400)
            let error = reply.json["error"] as? String ?? ""
            #expect(error.contains(message), "\(error)")
        }
    }

    @Test func anUnknownRouteIs404InJSON() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/nothing")
            #expect(reply.status == 404)
            #expect((reply.json["error"] as? String)?.contains("GET /api/v1/nothing") == true)
        }
    }

    @Test func aFailingAPIIs500InJSON() async throws {
        struct Broken: Error {}
        let api = FakeIncidentAPI(Self.incidents)
        await api.set(failure: Broken())
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/incidents")
            #expect(reply.status == 500)
            #expect(reply.json["code"] as? String == "internal")
        }
    }
}
