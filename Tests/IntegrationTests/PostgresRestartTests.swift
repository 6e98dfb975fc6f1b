import Foundation
import IncidentCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// PostgreSQL restarted under load (SPEC §15): both instances recover, and no acknowledged event is lost or
/// recorded twice. On a cluster of its own: the shared one serves tests running in parallel. Whatever blocks
/// (pg_ctl, a daemon's start, a reply) runs on a thread of its own, so the tests beside this one keep running.
@Suite(.serialized) struct PostgresRestartTests {
    @Test func bothInstancesRecoverFromARestartOfPostgreSQLUnderLoadAndLoseNothing() async throws {
        let cluster = try await PostgresCluster.makePrivate()
        let name = try await cluster.makeDatabase()
        let yaml = "store: { postgres: { url: '\(cluster.url(name))' } }"
        let first = try await RunningDaemon(rules: daemonRules, extra: yaml + "\nha: { failover: 6s, instance: a }")
        let second = try await RunningDaemon(rules: daemonRules, extra: yaml + "\nha: { failover: 6s, instance: b }")
        #expect(second.notify.messages.contains { $0.contains("STATUS=standby:") }, "\(second.notify.messages)")
        _ = try await PostgresDaemonTests.connect(second)

        // Two clients on the leader's socket (its pipeline) and two on the standby's (the relay); the server
        // stops (fast: every session is ended) and starts again while they send.
        let perClient = 800
        let acknowledged = try await acknowledgedAround(
            clients: [first, first, second, second], perClient: perClient
        ) {
            try await onOwnThread {
                try cluster.stop()
                try cluster.restart()
            }
        }

        // Recovered: each instance takes a line again, or has exited 75 because its lease ran out while the
        // database was away (then systemd starts it again, Restart=on-failure, and so does this test).
        for (n, daemon) in [first, second].enumerated() {
            var attempt = 0
            try await waitUntil("instance \(n) takes input again or has exited", timeout: .seconds(60)) {
                guard daemon.process.isRunning else { return true }
                guard let client = try? LineClient(path: daemon.ingestSocket) else { return false }
                attempt += 1
                let line = alertLine(
                    ["alertname": "Probe", "host": "h\(n)"], annotations: ["seq": "probe-\(n)-\(attempt)"])
                let reply = try await onOwnThread {
                    client.send(line)
                    return client.readLine() ?? ""
                }
                return jsonObject(reply)["ok"] as? Bool == true
            }
            if !daemon.process.isRunning {
                #expect(daemon.process.terminationStatus == 75, "\(daemon.log())")
                #expect(daemon.log().contains("lost the lead"), "\(daemon.log())")
                try await daemon.start()
            }
            let client = try await PostgresDaemonTests.connect(daemon)
            let line = alertLine(["alertname": "After", "host": "h\(n)"], annotations: ["seq": "after-\(n)"])
            let reply = try await onOwnThread {
                client.send(line)
                return client.readLine() ?? ""
            }
            #expect(jsonObject(reply)["ok"] as? Bool == true, "\(daemon.log())")
        }
        let store = try await PostgresDaemonTests.store(cluster, name)
        defer { store.close() }
        var seen: [String: Int] = [:]
        try await waitUntil("every acknowledged event and both later ones are recorded", timeout: .seconds(60)) {
            seen = try await recordedSequences(store)
            return acknowledged.allSatisfy { seen[$0] != nil } && seen["after-0"] != nil && seen["after-1"] != nil
        }
        let duplicated = seen.filter { $0.value > 1 }
        #expect(duplicated.isEmpty, "\(duplicated.count) events are recorded twice, e.g. \(duplicated.prefix(5))")
        #expect(acknowledged.count > perClient, "a good share was acknowledged: \(acknowledged.count)")
        for daemon in [first, second] where daemon.process.isRunning {
            #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
        }
    }
}
