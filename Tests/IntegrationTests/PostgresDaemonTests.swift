import Foundation
import IncidentCore
import IncidentPostgres
import Logging
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon end to end on the PostgreSQL store (SPEC §15): the real binary, a fresh database in the tests'
/// private cluster.
@Suite(.serialized) struct PostgresDaemonTests {
    /// A fresh database and the `store:` YAML that points a daemon at it.
    static func database() async throws -> (cluster: PostgresCluster, name: String, yaml: String) {
        let cluster = try await PostgresCluster.start()
        let name = try await cluster.makeDatabase()
        return (cluster, name, "store: { postgres: { url: '\(cluster.url(name))' } }")
    }

    static func store(_ cluster: PostgresCluster, _ name: String) async throws -> PostgresStore {
        guard case .success(let url) = PostgresURL.parse(cluster.url(name)) else {
            throw PostgresClusterError(description: "the cluster's URL does not parse")
        }
        return try await PostgresStore(url: url, logger: Logger(label: "test"))
    }

    @Test func alertsBecomeIncidentsArePagedAndSurviveARestart() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let daemon = try await RunningDaemon(rules: daemonRules, extra: yaml)
        #expect(daemon.log().contains("postgres://"), "the log names the store")
        let client = try LineClient(path: daemon.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        client.send(alertLine(["alertname": "DiskFull", "host": "db1", "mount": "/var"]))
        client.send(alertLine(["alertname": "HostDown", "host": "web1"]))
        var replies: [[String: Any]] = []
        for _ in 0..<3 { replies.append(jsonObject(await client.nextLine() ?? "")) }
        #expect(replies.map { $0["incidents"] as? [String] } == [["INC-1"], ["INC-1"], ["INC-2"]])

        let ack = try await daemon.ctl("ack", "INC-2", "--by", "ann", "--note", "looking")
        #expect(ack.status == 0, "\(ack.stdout)\(ack.stderr)")
        let pages = daemon.directory.appendingPathComponent("pages.jsonl").path
        try await waitUntil("both incidents were paged through the outbox") {
            let text = (try? String(contentsOfFile: pages, encoding: .utf8)) ?? ""
            return text.contains("INC-1") && text.contains("INC-2")
        }
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")

        // What the daemon committed is in PostgreSQL, not in a file beside it.
        #expect(!FileManager.default.fileExists(atPath: daemon.database))
        #expect(
            try await cluster.psql("SELECT number || ' ' || state FROM incidents ORDER BY number", database: name)
                == "1 open\n2 acknowledged\n")

        try await daemon.start()
        let show = try await daemon.ctl("show", "INC-2", "--json")
        #expect(jsonObject(show.stdout)["state"] as? String == "acknowledged", "\(show.stdout)\(show.stderr)")
        #expect(jsonObject(show.stdout)["acknowledged_by"] as? String == "ann")
        let again = try LineClient(path: daemon.ingestSocket)
        again.send(alertLine(["alertname": "DiskFull", "host": "db1", "mount": "/home"]))
        #expect(jsonObject(await again.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"], "the restored engine")
        let noted = try await cluster.psql(
            "SELECT COUNT(*) FROM timeline WHERE incident = 2 AND detail LIKE '%looking%'", database: name)
        #expect(noted == "1\n", "the acknowledgement's note is in the timeline")
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }

    @Test func aStoreThatCannotBeReachedStopsTheStartWithAClearError() async throws {
        let cluster = try await PostgresCluster.start()
        let yaml = "store: { postgres: { url: 'postgres://nobody@127.0.0.1:\(cluster.port)/missing?sslmode=disable' } }"
        let error = await #expect(throws: HarnessError.self) {
            _ = try await RunningDaemon(rules: daemonRules, extra: yaml)
        }
        let text = error?.description ?? ""
        #expect(text.contains("postgres://nobody@127.0.0.1"), "the message names the store: \(text)")
        #expect(text.contains("check the user"), "and says what to do: \(text)")
    }

    @Test(.heavyLoad) func killNineLosesNoAcknowledgedEventAndDuplicatesNone() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let daemon = try await RunningDaemon(rules: daemonRules, extra: yaml)
        let clients = 4
        let perClient = 2000
        let ackedBeforeKill = try await acknowledgedBeforeKillNine(daemon, clients: clients, perClient: perClient)
        #expect(ackedBeforeKill.count < clients * perClient, "the kill came after everything was sent")

        try await daemon.start()
        await daemon.signal(SIGTERM)
        let store = try await Self.store(cluster, name)
        defer { store.close() }
        let seen = try await recordedSequences(store)
        let missing = ackedBeforeKill.filter { seen[$0] == nil }
        let duplicated = seen.filter { $0.value > 1 }
        #expect(missing.isEmpty, "\(missing.count) acknowledged events are missing, e.g. \(missing.prefix(5))")
        #expect(duplicated.isEmpty, "\(duplicated.count) events are recorded twice, e.g. \(duplicated.prefix(5))")
    }

    /// Pages in both daemons' files, by incident: each must be paged once, whichever instance sent it.
    static func pages(_ daemons: RunningDaemon...) -> [String: Int] {
        var count: [String: Int] = [:]
        for daemon in daemons {
            let text =
                (try? String(
                    contentsOfFile: daemon.directory.appendingPathComponent("pages.jsonl").path, encoding: .utf8))
                ?? ""
            for line in text.split(separator: "\n") {
                let incident = (jsonObject(String(line))["incident"] as? [String: Any])?["id"] as? String
                count[incident ?? String(line.prefix(80)), default: 0] += 1
            }
        }
        return count
    }

    /// Waits for an instance's ingest socket to take a connection.
    static func connect(_ daemon: RunningDaemon) async throws -> LineClient {
        var client: LineClient?
        try await waitUntil("the ingest socket of the new leader", timeout: .seconds(60)) {
            client = try? LineClient(path: daemon.ingestSocket)
            return client != nil
        }
        return client!
    }

    @Test func aStandbyTakesOverWithinTheFailoverAfterKillNineAndPagesNothingTwice() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let ha = yaml + "\nha: { failover: 6s }"
        let first = try await RunningDaemon(rules: daemonRules, extra: ha)
        #expect(first.notify.messages.contains { $0.contains("leader (term 1)") }, "\(first.notify.messages)")
        let second = try await RunningDaemon(rules: daemonRules, extra: ha)
        #expect(second.notify.messages.contains { $0.contains("STATUS=standby:") }, "\(second.notify.messages)")

        let client = try LineClient(path: first.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"])
        try await waitUntil("INC-1 was paged") { Self.pages(first)["INC-1"] == 1 }
        // And its delivery recorded: a page sent but not yet recorded when the leader dies is sent again by the
        // next one, with the same idempotency key, as after a crash of a single instance (docs/HA.md).
        try await waitUntil("INC-1's delivery was recorded") {
            await (try? cluster.psql("SELECT state FROM outbox WHERE idempotency_key = 'INC-1/0/0'", database: name))
                == "delivered\n"
        }

        await first.signal(SIGKILL)
        let killed = ContinuousClock.now
        try await waitUntil("the standby leads", timeout: .seconds(60)) {
            second.notify.messages.contains { $0.contains("leader (term 2)") }
        }
        let takeover = ContinuousClock.now - killed
        // Within the failover (the lease is two thirds of it, and a standby tries four times a lease); a second
        // more for a loaded machine and the polling of this wait.
        #expect(takeover < .seconds(7), "took over after \(takeover)")

        let next = try await Self.connect(second)
        next.send(alertLine(["alertname": "DiskFull", "host": "db1", "mount": "/var"]))
        #expect(
            jsonObject(await next.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"], "the engine was restored")
        next.send(alertLine(["alertname": "HostDown", "host": "web1"]))
        #expect(jsonObject(await next.nextLine() ?? "")["incidents"] as? [String] == ["INC-2"], "numbers carry on")
        try await waitUntil("INC-2 was paged") { Self.pages(first, second)["INC-2"] == 1 }
        #expect(Self.pages(first, second) == ["INC-1": 1, "INC-2": 1], "nothing was paged twice")
        #expect(await second.signal(SIGTERM) == 0, "\(second.log())")
    }

    @Test func ofThreeInstancesOneStandbyTakesOverAndTheOtherStaysStandby() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let ha = yaml + "\nha: { failover: 6s }"
        let first = try await RunningDaemon(rules: daemonRules, extra: ha)
        let others = await [
            try RunningDaemon(rules: daemonRules, extra: ha), try RunningDaemon(rules: daemonRules, extra: ha),
        ]
        for standby in others {
            #expect(standby.notify.messages.contains { $0.contains("STATUS=standby:") }, "\(standby.notify.messages)")
        }
        let client = try LineClient(path: first.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"])
        try await waitUntil("INC-1's delivery was recorded") {
            await (try? cluster.psql("SELECT state FROM outbox WHERE idempotency_key = 'INC-1/0/0'", database: name))
                == "delivered\n"
        }

        await first.signal(SIGKILL)
        let leads = { (daemon: RunningDaemon) in daemon.notify.messages.contains { $0.contains("leader (term 2)") } }
        try await waitUntil("a standby leads", timeout: .seconds(60)) { others.contains(where: leads) }
        let next = try #require(others.first(where: leads))
        let still = try #require(others.first { !leads($0) })
        let session = try await Self.connect(next)
        session.send(alertLine(["alertname": "HostDown", "host": "web1"]))
        #expect(jsonObject(await session.nextLine() ?? "")["incidents"] as? [String] == ["INC-2"], "numbers carry on")
        try await waitUntil("INC-2 was paged") { Self.pages(first, next, still)["INC-2"] == 1 }
        #expect(Self.pages(first, next, still) == ["INC-1": 1, "INC-2": 1], "nothing was paged twice")
        // The third is still a standby, under the new leader: it never led, and says so in the store.
        #expect(!still.notify.messages.contains { $0.contains("leader (term") }, "\(still.notify.messages)")
        #expect(try await cluster.psql("SELECT term FROM incidentd_leader", database: name) == "2\n")
        try await waitUntil("the third reports itself a standby") {
            try await cluster.psql("SELECT COUNT(*) FROM incidentd_instances WHERE role = 'standby'", database: name)
                != "0\n"
        }
        // The standby first: stopped in the middle of taking over, a signal could meet it between its two groups.
        #expect(await still.signal(SIGTERM) == 0, "\(still.log())")
        #expect(await next.signal(SIGTERM) == 0, "\(next.log())")
    }

    /// `curl` against a daemon's TCP listener with its bearer token: the status and the body.
    static func http(_ port: Int, _ path: String, body: String? = nil) async throws -> (status: Int, body: String) {
        var args = [
            "-s", "-o", "-", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(RunningDaemon.token)",
        ]
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
        args.append("http://127.0.0.1:\(port)\(path)")
        let out = try await CLI.runAbsolute("/usr/bin/curl", args)
        let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// Every instance ingests its HTTP too (SPEC §15): a standby takes `POST /api/v2/alerts` into the relay and
    /// the leader's engine opens the incident; the rest of its API, its `/readyz` and `incidentctl status` say it
    /// is a standby and who leads; its metrics say it does not lead. After a `kill -9` of the leader it leads on
    /// the same port.
    @Test func aStandbyIngestsOverHTTPAndRefersTheRestToTheLeader() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let leader = try await RunningDaemon(rules: daemonRules, extra: yaml + "\nha: { failover: 6s, instance: a }")
        let port = try freePort()
        let standby = try await RunningDaemon(
            rules: daemonRules, http: "127.0.0.1:\(port)", extra: yaml + "\nha: { failover: 6s, instance: b }")
        #expect(standby.notify.messages.contains { $0.contains("STATUS=standby:") }, "\(standby.notify.messages)")

        let alert = #"[{"labels":{"alertname":"DiskFull","host":"db1"},"annotations":{"summary":"full"}}]"#
        let posted = try await Self.http(port, "/api/v2/alerts", body: alert)
        #expect(posted.status == 200, "\(posted)")
        let receipt = jsonObject(posted.body)
        #expect(receipt["accepted"] as? Int == 1 && (receipt["incidents"] as? [Any])?.isEmpty == true, "\(posted)")
        try await waitUntil("the leader's engine opened the incident of the standby's alert", detail: leader.log()) {
            let sources = try await cluster.psql(
                "SELECT source || ' ' || COUNT(*) FROM events GROUP BY source", database: name)
            let rules = try await cluster.psql("SELECT rule || ' ' || events FROM incidents", database: name)
            return sources == "http 1\n" && rules == "disk-full 1\n"
        }
        // A bad payload is refused by the standby itself, with the decoder's reason, and nothing is relayed.
        let bad = try await Self.http(port, "/api/v2/alerts", body: #"[{"labels":{}}]"#)
        #expect(bad.status == 400, "\(bad)")

        // Not ready, by design, with its role and who leads; the rest of the API names the leader.
        let ready = try await Self.http(port, "/readyz")
        #expect(ready.status == 503, "\(ready)")
        #expect(ready.body.contains("a leads the store (term 1)") && ready.body.contains("standby"), "\(ready.body)")
        let incidents = try await standby.api("/api/v1/incidents")
        #expect(incidents.status == 503, "\(incidents)")
        #expect(
            incidents.body.contains("(b) is a standby") && incidents.body.contains("a leads the store (term 1)"),
            "\(incidents.body)")
        // The console's pages too: an error page that says so, not a broken page.
        let console = try await standby.api("/")
        #expect(console.status == 503 && console.body.contains("is a standby"), "\(console)")
        let status = try await standby.ctl("status")
        #expect(status.status == 1 && status.stdout.contains("standby"), "\(status.stdout)\(status.stderr)")
        #expect(try await Self.http(port, "/metrics").body.contains("incidentd_leader 0"))

        // The leader dies; the standby leads, on the same port, and now answers everything.
        await leader.signal(SIGKILL)
        try await waitUntil("b leads and its listener answers ready", timeout: .seconds(60), detail: standby.log()) {
            await (try? Self.http(port, "/readyz").status) == 200
        }
        let again = await jsonObject(try Self.http(port, "/api/v2/alerts", body: alert).body)
        #expect(again["incidents"] as? [String] == ["INC-1"], "\(again)")
        #expect(try await standby.api("/api/v1/incidents").status == 200)
        #expect(await standby.signal(SIGTERM) == 0, "\(standby.log())")
    }

    @Test func aLeaderStoppedPastItsLeaseIsRefusedWhenItResumesAndPagesNothingTwice() async throws {
        let (cluster, name, yaml) = try await Self.database()
        let ha = yaml + "\nha: { failover: 6s }"
        let first = try await RunningDaemon(rules: daemonRules, extra: ha)
        let second = try await RunningDaemon(rules: daemonRules, extra: ha)
        let client = try LineClient(path: first.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"])
        try await waitUntil("INC-1 was paged") { Self.pages(first)["INC-1"] == 1 }
        // And its delivery recorded: a page sent but not yet recorded when the leader dies is sent again by the
        // next one, with the same idempotency key, as after a crash of a single instance (docs/HA.md).
        try await waitUntil("INC-1's delivery was recorded") {
            await (try? cluster.psql("SELECT state FROM outbox WHERE idempotency_key = 'INC-1/0/0'", database: name))
                == "delivered\n"
        }

        await first.signal(SIGSTOP, wait: false)
        try await waitUntil("the standby leads", timeout: .seconds(60)) {
            second.notify.messages.contains { $0.contains("leader (term 2)") }
        }
        let next = try await Self.connect(second)
        next.send(alertLine(["alertname": "HostDown", "host": "web1"]))
        #expect(jsonObject(await next.nextLine() ?? "")["incidents"] as? [String] == ["INC-2"])

        await first.signal(SIGCONT, wait: false)
        try await waitUntil("the old leader stopped", timeout: .seconds(60)) { !first.process.isRunning }
        #expect(first.process.terminationStatus == 75, "\(first.log())")
        #expect(first.log().contains("lost the lead"), "\(first.log())")
        try await waitUntil("INC-2 was paged") { Self.pages(first, second)["INC-2"] == 1 }
        #expect(Self.pages(first, second) == ["INC-1": 1, "INC-2": 1], "nothing was paged twice")
        #expect(await second.signal(SIGTERM) == 0, "\(second.log())")
    }

    @Test func aSingleHostsHistoryMovesIntoPostgreSQLWithStoreCopy() async throws {
        let single = try await RunningDaemon(rules: daemonRules)
        let client = try LineClient(path: single.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        client.send(alertLine(["alertname": "HostDown", "host": "web1"]))
        let first = jsonObject(await client.nextLine() ?? "")["ok"] as? Bool
        let second = jsonObject(await client.nextLine() ?? "")["ok"] as? Bool
        #expect([first, second] == [true, true])
        #expect(try await single.ctl("ack", "INC-2", "--by", "ann", "--note", "on it").status == 0)
        try await waitUntil("both were paged") { Self.pages(single) == ["INC-1": 1, "INC-2": 1] }
        let saved = try await single.ctl("review", "INC-1", "--save", "--by", "ann")
        #expect(saved.status == 0, "\(saved.stdout)\(saved.stderr)")
        #expect(await single.signal(SIGTERM) == 0, "\(single.log())")

        let (cluster, name, yaml) = try await Self.database()
        let copy = try await CLI.run(
            "incidentctl", ["store", "copy", "--from", "sqlite:" + single.database, "--to", cluster.url(name)])
        #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
        #expect(copy.stdout.contains("2 incidents"), "\(copy.stdout)")
        let again = try await CLI.run(
            "incidentctl", ["store", "copy", "--from", "sqlite:" + single.database, "--to", cluster.url(name)])
        #expect(again.status == 1 && again.stderr.contains("copy into an empty database"), "\(again.stderr)")

        let moved = try await RunningDaemon(rules: daemonRules, extra: yaml)
        let show = await jsonObject(try moved.ctl("show", "INC-2", "--json").stdout)
        #expect(show["state"] as? String == "acknowledged")
        #expect(show["acknowledged_by"] as? String == "ann")
        let next = try LineClient(path: moved.ingestSocket)
        next.send(alertLine(["alertname": "DiskFull", "host": "db1", "mount": "/var"]))
        #expect(
            jsonObject(await next.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"], "the engine's state moved")
        next.send(alertLine(["alertname": "HostDown", "host": "web2"]))
        #expect(jsonObject(await next.nextLine() ?? "")["incidents"] as? [String] == ["INC-3"], "numbers carry on")
        try await waitUntil("INC-3 was paged") { Self.pages(moved)["INC-3"] == 1 }
        #expect(Self.pages(moved) == ["INC-3": 1], "the delivered pages moved as delivered: none is sent again")
        let search = try await moved.ctl("kb", "search", "disk")
        #expect(search.stdout.contains("inc-1-disk-full-on-db1"), "\(search.stdout)\(search.stderr)")
        #expect(await moved.signal(SIGTERM) == 0, "\(moved.log())")
    }

    @Test func storeCopyRefusesWhatItCannotDo() async throws {
        let missing = try await CLI.run(
            "incidentctl", ["store", "copy", "--from", "sqlite:/nonexistent/x.sqlite", "--to", "postgres://a@b/c"])
        #expect(missing.status == 1 && missing.stderr.contains("no SQLite store"), "\(missing.stderr)")
        let badURL = try await CLI.run(
            "incidentctl", ["store", "copy", "--from", "sqlite:/x", "--to", "mysql://a@b/c"])
        #expect(badURL.status == 2 && badURL.stderr.contains("--to"), "\(badURL.stderr)")
    }
}
