import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Silences and people in the real daemon (SPEC §11-12): a silence added through the Alertmanager-compatible API
/// mutes a new alert, survives `kill -9`, and expiring it starts the escalation; a step naming a schedule pages
/// the person on call and records them on the page.
@Suite(.serialized) struct SilenceDaemonTests {
    static let rules = """
        users:
          - { name: alice, notify: [oncall] }
          - { name: bob, notify: [lead] }
        schedules:
          - name: primary
            timezone: UTC
            rotation: { users: [alice, bob], shift: 1d, handoff: "00:00", start: 2020-01-06 }
        maintenance:
          # Two windows that together cover every minute of the day.
          - { name: always-db9, match: ['host="db9"'], every: "day 00:00-23:59", timezone: UTC }
          - { name: always-db9-night, match: ['host="db9"'], every: "day 23:00-01:00", timezone: UTC }
        rules:
          - name: disk-full
            match: ['alertname="DiskFull"']
            kind: degradation
            impact: medium
            urgency: high
            group_by: [host]
            title: 'Disk full on {{host}}'
        escalation_policies:
          - name: default
            steps:
              - { after: 0s, notify: [schedule:primary] }
              - { after: 15m, notify: [lead] }
        escalation_by_priority: { P1: default, P2: default, P3: default, P4: default, P5: default }
        """

    func pages(_ daemon: RunningDaemon) -> [[String: Any]] {
        let text =
            (try? String(contentsOf: daemon.directory.appendingPathComponent("pages.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { jsonObject(String($0)) }
    }

    func incident(_ daemon: RunningDaemon, _ id: String) async throws -> [String: Any] {
        let reply = try await daemon.api("/api/v1/incidents/\(id)")
        #expect(reply.status == 200, "\(reply.body)")
        return jsonObject(reply.body)
    }

    @Test func aSilenceMutesAnAlertSurvivesKillNineAndExpiringItPages() async throws {
        let daemon = try await RunningDaemon(rules: Self.rules)
        let now = Date()
        let iso = ISO8601DateFormatter()
        let body = """
            {"matchers": [{"name": "host", "value": "db1", "isRegex": false, "isEqual": true}],
             "startsAt": "\(iso.string(from: now))", "endsAt": "\(iso.string(from: now.addingTimeInterval(3600)))",
             "createdBy": "alice", "comment": "resizing /data"}
            """
        let created = try await daemon.api("/api/v2/silences", method: "POST", body: body)
        #expect(created.status == 200, "\(created.body)")
        let id = try #require(jsonObject(created.body)["silenceID"] as? String)

        let client = try LineClient(path: daemon.ingestSocket)
        #expect(client.send(alertLine(["alertname": "DiskFull", "host": "db1"])))
        #expect(await client.nextLine()?.contains("\"ok\":true") == true)
        #expect(client.send(alertLine(["alertname": "DiskFull", "host": "web1"])))
        #expect(await client.nextLine()?.contains("\"ok\":true") == true)

        // web1 pages whoever is on call now; db1 pages nobody.
        try await waitUntil("web1's page is written") { pages(daemon).count == 1 }
        let first = pages(daemon)[0]
        #expect((first["incident"] as? [String: Any])?["id"] as? String == "INC-2")
        // The rotation hands over daily at 00:00 UTC from Monday 2020-01-06, alice first: the page's due time
        // says whose day it was.
        let about = try #require(first["notification"] as? [String: Any])
        let dueText = (about["due"] as? String ?? "").replacingOccurrences(
            of: #"\.[0-9]+"#, with: "", options: .regularExpression)
        let due = try #require(iso.date(from: dueText))
        let days = Int(due.timeIntervalSince(iso.date(from: "2020-01-06T00:00:00Z")!) / 86_400)
        #expect(about["user"] as? String == (days % 2 == 0 ? "alice" : "bob"))
        #expect(about["notifier"] as? String == (days % 2 == 0 ? "oncall" : "lead"))
        #expect(try await incident(daemon, "INC-1")["silenced"] as? Bool == true)
        #expect(try await incident(daemon, "INC-2")["silenced"] as? Bool == false)

        // kill -9: the silence and the silenced incident come back.
        await daemon.signal(SIGKILL)
        try await daemon.start()
        let listed = try await daemon.api("/api/v2/silences")
        #expect(listed.body.contains(id))
        #expect(listed.body.contains("\"active\""))
        #expect(try await incident(daemon, "INC-1")["silenced"] as? Bool == true)
        #expect(pages(daemon).count == 1)

        // Expiring it starts INC-1's escalation now.
        let expired = try await daemon.api("/api/v2/silence/\(id)", method: "DELETE")
        #expect(expired.status == 200, "\(expired.body)")
        try await waitUntil("INC-1 is paged once its silence is expired") { pages(daemon).count == 2 }
        #expect(try await incident(daemon, "INC-1")["silenced"] as? Bool == false)
        let detail = try await daemon.api("/api/v1/incidents/INC-1").body
        #expect(detail.contains("no longer silenced (silence \(id) expired by"))
        let metrics = try await daemon.api("/metrics").body
        #expect(metrics.contains("incidentd_silences{state=\"expired\"} 1"))
    }

    @Test func aMaintenanceWindowMutesItsHosts() async throws {
        let daemon = try await RunningDaemon(rules: Self.rules)
        let client = try LineClient(path: daemon.ingestSocket)
        #expect(client.send(alertLine(["alertname": "DiskFull", "host": "db9"])))
        #expect(await client.nextLine()?.contains("\"ok\":true") == true)
        try await waitUntil("INC-1 is recorded") { await (try? daemon.api("/api/v1/incidents/INC-1").status) == 200 }
        #expect(try await incident(daemon, "INC-1")["silenced"] as? Bool == true)
        let detail = try await daemon.api("/api/v1/incidents/INC-1").body
        #expect(detail.contains("maintenance window always-db9"))
        #expect(pages(daemon).isEmpty)
    }

    /// 2026-12-04 is day 2,524 of the daily rotation that began on 2020-01-06 with alice: an even day, hers.
    @Test func oncallSaysWhoIsOnCallNowAndNext() async throws {
        let daemon = try await RunningDaemon(rules: Self.rules)
        let reply = try await daemon.ctl("oncall", "primary", "--at", "2026-12-04T12:00:00Z", "--json")
        #expect(reply.status == 0, "\(reply.stderr)")
        let schedules = try #require(jsonObject(reply.stdout)["schedules"] as? [[String: Any]])
        #expect(schedules.count == 1)
        let now = try #require(schedules.first?["now"] as? [String: Any])
        let next = try #require(schedules.first?["next"] as? [String: Any])
        #expect(now["user"] as? String == "alice")
        #expect(now["start"] as? String == "2026-12-04T00:00:00Z")
        #expect(now["end"] as? String == "2026-12-05T00:00:00Z")
        #expect(next["user"] as? String == "bob")
        let text = try await daemon.ctl("oncall", "--at", "2026-12-04T12:00:00Z")
        #expect(text.stdout.contains("alice"), "\(text.stdout)")
        let unknown = try await daemon.ctl("oncall", "nosuch")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("known: primary"), "\(unknown.stderr)")
    }
}
