import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every instance ingests (SPEC §15): a standby's own sources commit to the relay, and the leader's engine takes
/// what they read, once, across a takeover.
@Suite(.serialized, .enabled(if: JournalFiles.available, "needs systemd-journal-remote"))
struct PostgresRelayTests {
    /// The journal line numbers among the events committed in the database, in event order.
    static func lines(_ cluster: PostgresCluster, _ name: String) async throws -> [Int] {
        try await cluster.psql(
            "SELECT substr(annotations::json->>'message', 6) FROM events WHERE source = 'journal' ORDER BY id",
            database: name
        ).split(separator: "\n").compactMap { Int($0) }
    }

    @Test func aStandbysJournalReachesTheLeadersEngineOnceAcrossATakeover() async throws {
        let (cluster, name, yaml) = try await PostgresDaemonTests.database()
        let journal = try CLI.temporaryDirectory().path
        try await JournalFiles.write((0..<300).map(JournalFiles.line), to: journal)
        let leader = try await RunningDaemon(
            rules: journalAppRules, extra: yaml + "\nha: { failover: 6s, instance: a }")
        let standby = try await RunningDaemon(
            rules: journalAppRules, extra: yaml + "\nha: { failover: 6s, instance: b }",
            journal: "{ directory: \(journal), start_at: beginning }")
        #expect(standby.notify.messages.contains { $0.contains("STATUS=standby:") }, "\(standby.notify.messages)")

        // The standby reads its journal into the relay; the leader's engine makes the incident of those lines.
        try await waitUntil("the standby's 300 lines are events", detail: standby.log()) {
            try await Self.lines(cluster, name).count >= 300
        }
        #expect(try await Self.lines(cluster, name) == Array(0..<300), "each line once, in journal order")
        try await waitUntil("the leader's engine opened the incident of those lines", detail: leader.log()) {
            try await cluster.psql("SELECT rule || ' ' || events FROM incidents", database: name) == "app-errors 300\n"
        }
        // The standby's socket feeds the relay too: committed, acknowledged, then the leader's.
        let client = try await PostgresDaemonTests.connect(standby)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        let reply = jsonObject(await client.nextLine() ?? "")
        #expect(reply["accepted"] as? Int == 1, "\(reply)")
        try await waitUntil("the socket's alert is an event", detail: leader.log()) {
            try await cluster.psql("SELECT COUNT(*) FROM events WHERE source <> 'journal'", database: name) == "1\n"
        }
        #expect(
            try await cluster.psql("SELECT position FROM source_positions WHERE source = 'journal:b'", database: name)
                != "")

        // The leader dies; the standby takes over and goes on from its own cursor, with more lines.
        await leader.signal(SIGKILL)
        try await JournalFiles.write((300..<500).map(JournalFiles.line), to: journal, name: "more")
        try await waitUntil("the standby leads", timeout: .seconds(60)) {
            standby.notify.messages.contains { $0.contains("leader (term 2)") }
        }
        try await waitUntil("all 500 lines are events", timeout: .seconds(60), detail: standby.log()) {
            try await Self.lines(cluster, name).count >= 500
        }
        #expect(try await Self.lines(cluster, name).sorted() == Array(0..<500), "no line lost or taken twice")
        // An incident's event count may be held for about a second after its events commit (README, durability).
        try await waitUntil("the incident counts the 500 lines", detail: standby.log()) {
            try await cluster.psql("SELECT rule || ' ' || events FROM incidents", database: name) == "app-errors 500\n"
        }
        // What the leader took is gone from the relay.
        try await waitUntil("the relay is pruned") {
            try await cluster.psql("SELECT COUNT(*) FROM incidentd_relay", database: name) == "0\n"
        }

        // Role, term and replay lag: from the store for every instance, from the leader's /readyz and metrics.
        try await waitUntil("b reports that it leads", detail: standby.log()) {
            try await cluster.psql(
                "SELECT role || ' ' || term FROM incidentd_instances WHERE name = 'b'", database: name)
                == "leader 2\n"
        }
        let table = try await standby.ctl("status", "--store", cluster.url(name))
        #expect(table.status == 0, "\(table.stdout)\(table.stderr)")
        #expect(table.stdout.hasPrefix("lease: b, term 2\n"), "\(table.stdout)")
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.contains { $0.prefix(4) == ["b", "leader", "2", "0"] }, "b leads, nothing left to take: \(rows)")
        #expect(rows.contains { $0.prefix(3) == ["a", "deposed", "1"] }, "a led under term 1: \(rows)")
        let ready = try await standby.ctl("status")
        #expect(ready.status == 0, "\(ready.stdout)\(ready.stderr)")
        #expect(ready.stdout.hasPrefix("ready\n") && ready.stdout.contains("under term 2 as b"), "\(ready.stdout)")
        #expect(try await standby.metric("incidentd_leader") == 1)
        #expect(try await standby.metric("incidentd_term") == 2)
        #expect(try await standby.metric("incidentd_relay_lag") == 0)
        #expect(await standby.signal(SIGTERM) == 0, "\(standby.log())")
    }

    @Test func statusRefusesWhatItCannotUse() async throws {
        let bad = try await CLI.run("incidentctl", ["status", "--store", "mysql://a@b/c"])
        #expect(bad.status == 2 && bad.stderr.contains("scheme"), "\(bad.stderr)")
        let stray = try await CLI.run("incidentctl", ["status", "--password-file", "/nonexistent"])
        #expect(stray.status == 2 && stray.stderr.contains("--store"), "\(stray.stderr)")
        let down = try await CLI.run("incidentctl", ["status", "--socket", "/nonexistent/control.sock"])
        #expect(down.status == 1 && !down.stderr.isEmpty, "\(down.stderr)")
    }
}
