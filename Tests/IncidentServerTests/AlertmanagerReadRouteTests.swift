import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

/// `GET /api/v2/alerts`, `/alerts/groups`, `/status`, `/receivers` and `/api/v1/oncall` over the fake API.
@Suite struct AlertmanagerReadRouteTests {
    static func alert(
        _ name: String, host: String, incident: Int, silencedBy: [String] = [], inhibitedBy: [String] = [],
        firing: Bool = true, receiver: String = "default"
    ) -> RoutedAlert {
        let labels: Labels = ["alertname": name, "host": host]
        return RoutedAlert(
            alert: ActiveAlert(
                fingerprint: Fingerprint(labels: labels), labels: labels,
                annotations: ["summary": "\(name) on \(host)"],
                startsAt: Fixtures.now - .seconds(600), updatedAt: Fixtures.now, endsAt: nil, firing: firing,
                incident: incident, silencedBy: silencedBy, inhibitedBy: inhibitedBy,
                generatorURL: "http://prometheus/graph"),
            receiver: receiver)
    }

    static let alerts = [
        alert("DiskFull", host: "db1", incident: 2),
        alert("DiskFull", host: "db2", incident: 2, silencedBy: ["s-1"]),
        alert("Load", host: "web1", incident: 3, inhibitedBy: ["node-down"], receiver: "incidentd"),
        alert("Gone", host: "web2", incident: 3, firing: false),
    ]

    @Test func alertsAreListedInAlertmanagersShape() async throws {
        let api = FakeIncidentAPI()
        await api.set(alerts: Self.alerts)
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v2/alerts")
            #expect(reply.status == 200, "\(reply.text)")
            let alerts = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
            // The resolved one is not shown, as in Alertmanager.
            #expect(alerts.count == 3)
            let first = alerts[0]
            #expect((first["labels"] as? [String: String])?["host"] == "db1")
            #expect((first["annotations"] as? [String: String])?["summary"] == "DiskFull on db1")
            let fingerprint = try #require(first["fingerprint"] as? String)
            #expect(fingerprint.count == 16 && fingerprint.allSatisfy(\.isHexDigit))
            #expect(first["startsAt"] as? String == "2026-11-22T06:50:00Z")
            #expect(first["updatedAt"] as? String == "2026-11-22T07:00:00Z")
            #expect(first["endsAt"] as? String == "0001-01-01T00:00:00Z")
            #expect(first["generatorURL"] as? String == "http://prometheus/graph")
            #expect((first["receivers"] as? [[String: String]]) == [["name": "default"]])
            let status = try #require(first["status"] as? [String: Any])
            #expect(status["state"] as? String == "active")
            #expect((status["silencedBy"] as? [String]) == [])
            #expect((status["inhibitedBy"] as? [String]) == [])
            let second = try #require(alerts[1]["status"] as? [String: Any])
            #expect(second["state"] as? String == "suppressed")
            #expect((second["silencedBy"] as? [String]) == ["s-1"])
        }
    }

    @Test(
        arguments: [
            ("", ["db1", "db2", "web1"]),
            ("?silenced=false", ["db1", "web1"]),
            ("?inhibited=false", ["db1", "db2"]),
            ("?active=false", ["db2", "web1"]),
            ("?filter=host%3D~%22db.%2A%22", ["db1", "db2"]),
            ("?filter=alertname%3DDiskFull&filter=host%21%3Ddb1", ["db2"]),
            ("?receiver=incident.%2A", ["web1"]),
        ])
    func alertQueryParametersSelectAsInAlertmanager(query: String, hosts: [String]) async throws {
        let api = FakeIncidentAPI()
        await api.set(alerts: Self.alerts)
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v2/alerts\(query)")
            #expect(reply.status == 200, "\(reply.text)")
            let alerts = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
            #expect(alerts.compactMap { ($0["labels"] as? [String: String])?["host"] } == hosts)
        }
    }

    @Test(arguments: ["?active=yes", "?filter=%3D%22x%22", "?receiver=%28"])
    func badAlertQueriesAre400(query: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v2/alerts\(query)")
            #expect(reply.status == 400, "\(reply.text)")
        }
    }

    @Test func groupsAreIncidentsWithTheirCommonLabels() async throws {
        let api = FakeIncidentAPI()
        await api.set(alerts: Self.alerts)
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v2/alerts/groups")
            #expect(reply.status == 200, "\(reply.text)")
            let groups = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
            #expect(groups.count == 2)
            #expect((groups[0]["labels"] as? [String: String]) == ["alertname": "DiskFull"])
            #expect((groups[0]["receiver"] as? [String: String]) == ["name": "default"])
            #expect((groups[0]["alerts"] as? [Any])?.count == 2)
            #expect((groups[1]["labels"] as? [String: String]) == ["alertname": "Load", "host": "web1"])
        }
    }

    @Test func statusAndReceiversAreInAlertmanagersShape() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v2/status")
            #expect(reply.status == 200, "\(reply.text)")
            let cluster = try #require(reply.json["cluster"] as? [String: Any])
            #expect(cluster["status"] as? String == "disabled")
            #expect((cluster["peers"] as? [Any])?.isEmpty == true)
            #expect(cluster["name"] as? String == "testhost")
            let version = try #require(reply.json["versionInfo"] as? [String: String])
            #expect(version["version"] == "0.1.0")
            #expect(Set(version.keys) == ["version", "revision", "branch", "buildUser", "buildDate", "goVersion"])
            #expect(reply.json["uptime"] as? String == "2026-11-22T06:00:00Z")
            let original = try #require((reply.json["config"] as? [String: String])?["original"])
            #expect(original.contains("- name: \"default\""))

            let receivers = try await server.request(.GET, "/api/v2/receivers")
            let names = try #require(try JSONSerialization.jsonObject(with: receivers.body) as? [[String: String]])
            #expect(names == [["name": "incidentd"], ["name": "default"]])
        }
    }

    @Test func onCallSaysWhoIsOnCallNowAndNext() async throws {
        let api = FakeIncidentAPI()
        let now = Fixtures.now
        await api.set(schedules: [
            OnCallStatus(
                name: "primary", timezone: "Europe/Berlin",
                now: OnCallShift(
                    user: "alice", start: now - .seconds(3600), end: now + .seconds(3600), isOverride: false),
                next: OnCallShift(
                    user: "dave", start: now + .seconds(3600), end: now + .seconds(7200), isOverride: true)),
            OnCallStatus(name: "empty", timezone: "UTC", now: nil, next: nil),
        ])
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.GET, "/api/v1/oncall?at=2026-12-24T09:00:00Z&schedule=primary")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["at"] as? String == "2026-12-24T09:00:00Z")
            let schedules = try #require(reply.json["schedules"] as? [[String: Any]])
            #expect(schedules.count == 1)
            #expect(schedules[0]["timezone"] as? String == "Europe/Berlin")
            let current = try #require(schedules[0]["now"] as? [String: Any])
            #expect(current["user"] as? String == "alice")
            #expect(current["start"] as? String == "2026-11-22T06:00:00Z")
            #expect(current["override"] as? Bool == false)
            #expect((schedules[0]["next"] as? [String: Any])?["override"] as? Bool == true)
            #expect(await server.api.onCallAsked == [Timestamp(rfc3339: "2026-12-24T09:00:00Z")!])

            let all = try await server.request(.GET, "/api/v1/oncall")
            let names = (all.json["schedules"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["empty", "primary"])
            #expect((all.json["schedules"] as? [[String: Any]])?[0]["now"] is NSNull)

            #expect(try await server.request(.GET, "/api/v1/oncall?at=noon").status == 400)
            #expect(try await server.request(.GET, "/api/v1/oncall?schedule=nope").status == 404)
        }
    }
}
