import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Operators correct the engine in the real daemon (SPEC §13): `incidentctl merge` and `split` change what `show`
/// says, survive `kill -9`, and later events follow them.
@Suite(.serialized) struct MergeSplitDaemonTests {
    static let rules = """
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
              - { after: 0s, notify: [oncall] }
        escalation_by_priority: { P1: default, P2: default, P3: default, P4: default, P5: default }
        """

    func shown(_ daemon: RunningDaemon, _ id: String) async throws -> [String: Any] {
        let out = try await daemon.ctl("show", id, "--json")
        #expect(out.status == 0, "\(out.stderr)")
        return jsonObject(out.stdout)
    }

    func alertHosts(_ shown: [String: Any]) -> [String] {
        (shown["alert_list"] as? [[String: Any]] ?? []).compactMap {
            ($0["labels"] as? [String: Any])?["host"] as? String
        }
        .sorted()
    }

    func send(_ client: LineClient, host: String) async {
        #expect(client.send(alertLine(["alertname": "DiskFull", "host": host])))
        #expect(await client.nextLine()?.contains("\"ok\":true") == true)
    }

    @Test func mergeThenSplitSurviveKillNine() async throws {
        let daemon = try await RunningDaemon(rules: Self.rules)
        var client = try LineClient(path: daemon.ingestSocket)
        await send(client, host: "db1")
        await send(client, host: "db2")
        try await waitUntil("two incidents") { try await shown(daemon, "INC-2")["alerts"] as? Int == 1 }

        let merged = try await daemon.ctl("merge", "INC-2", "--into", "INC-1", "--by", "ann")
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("INC-2 merged into INC-1 (by ann)"), "\(merged.stdout)")
        func checkMerged() async throws {
            let one = try await shown(daemon, "INC-1")
            #expect(one["alerts"] as? Int == 2)
            #expect(alertHosts(one) == ["db1", "db2"])
            let lines = (one["timeline"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""): \($0["detail"] ?? "")" }
            #expect(lines.contains("merged: INC-2 merged in by ann: its 1 alerts join"), "\(lines)")
            let two = try await shown(daemon, "INC-2")
            #expect(two["state"] as? String == "closed")
            #expect(alertHosts(two).isEmpty, "its alert now belongs to INC-1")
        }
        try await checkMerged()
        // Refusals name the problem and change nothing.
        let again = try await daemon.ctl("merge", "INC-2", "--into", "INC-1")
        #expect(again.status == 1)
        #expect(again.stderr.contains("INC-2 is closed"), "\(again.stderr)")
        #expect(try await daemon.ctl("merge", "INC-1", "--into", "INC-1").status == 2)

        await daemon.signal(SIGKILL)
        try await daemon.start()
        try await checkMerged()
        // A repeat of the moved alert lands in INC-1, not in a new incident.
        client = try LineClient(path: daemon.ingestSocket)
        await send(client, host: "db2")
        #expect(try await shown(daemon, "INC-1")["events"] as? Int == 3)
        let list = await jsonObject(try daemon.api("/api/v1/incidents").body)["incidents"] as? [[String: Any]] ?? []
        #expect(list.compactMap { $0["id"] as? String } == ["INC-1"])

        // Split db2's alert back out, by its fingerprint as `show` lists it.
        let db2 = try await #require(
            (try shown(daemon, "INC-1")["alert_list"] as? [[String: Any]] ?? []).first {
                ($0["labels"] as? [String: Any])?["host"] as? String == "db2"
            }?["fingerprint"] as? String)
        let split = try await daemon.ctl("split", "INC-1", "--alert", db2, "--by", "bo")
        #expect(split.status == 0, "\(split.stderr)")
        #expect(split.stdout.contains("into INC-3 (by bo)"), "\(split.stdout)")
        func checkSplit() async throws {
            let one = try await shown(daemon, "INC-1")
            #expect(alertHosts(one) == ["db1"])
            let three = try await shown(daemon, "INC-3")
            #expect(alertHosts(three) == ["db2"])
            #expect(three["events"] as? Int == 2, "the alert keeps its events")
            #expect(three["title"] as? String == "Disk full on db2")
        }
        try await checkSplit()
        let only = try await daemon.ctl("split", "INC-3", "--alert", db2)
        #expect(only.status == 1)
        #expect(only.stderr.contains("only alert of INC-3"), "\(only.stderr)")

        await daemon.signal(SIGKILL)
        try await daemon.start()
        try await checkSplit()
        client = try LineClient(path: daemon.ingestSocket)
        await send(client, host: "db2")
        #expect(try await shown(daemon, "INC-3")["events"] as? Int == 3)
        #expect(try await shown(daemon, "INC-1")["events"] as? Int == 1)
        await daemon.signal(SIGTERM)
    }
}
