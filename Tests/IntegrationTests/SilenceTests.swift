import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC §11: the real `amtool` (Alertmanager's CLI) and `incidentctl silence` against the real daemon.
@Suite(.serialized) struct SilenceTests {
    static let amtool = ["/usr/bin/amtool", "/usr/local/bin/amtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs amtool against the daemon's TCP listener with its bearer token.
    static func amtool(_ daemon: RunningDaemon, port: Int, _ arguments: String...) async throws -> CLI.Output {
        let config = daemon.directory.appendingPathComponent("amtool-http.yml").path
        if !FileManager.default.fileExists(atPath: config) {
            try "authorization:\n  credentials_file: \(daemon.tokenFile)\n".write(
                toFile: config, atomically: true, encoding: .utf8)
        }
        return try await CLI.runAbsolute(
            Self.amtool!, ["--alertmanager.url=http://127.0.0.1:\(port)", "--http.config.file=\(config)"] + arguments)
    }

    @Test(.enabled(if: amtool != nil, "amtool is not installed; scripts/setup installs prometheus-alertmanager"))
    func amtoolAddsQueriesAndExpiresSilences() async throws {
        let port = try freePort()
        let daemon = try await RunningDaemon(rules: daemonRules, http: "127.0.0.1:\(port)")

        let add = try await Self.amtool(
            daemon, port: port, "silence", "add", "alertname=DiskFull", #"host=~"db.*""#, "--duration=2h",
            "--comment=resizing the volume", "--author=ana")
        #expect(add.status == 0, "\(add.stderr)\n\(daemon.log().suffix(2000))")
        let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 36 && id == id.lowercased(), "\(add.stdout)")

        let query = try await Self.amtool(daemon, port: port, "silence", "query")
        #expect(query.status == 0, "\(query.stderr)")
        #expect(query.stdout.contains(id))
        #expect(query.stdout.contains("resizing the volume"))
        #expect(query.stdout.contains("ana"))
        #expect(try await Self.amtool(daemon, port: port, "silence", "query", "-q").stdout == id + "\n")
        // amtool's filter goes to the daemon as filter=...: a matcher no silence has finds nothing.
        let none = try await Self.amtool(daemon, port: port, "silence", "query", "-q", "alertname=Other")
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout.isEmpty)

        let json = try await Self.amtool(daemon, port: port, "silence", "query", "-o", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let silences = try #require(try CLI.json(json.stdout) as? [[String: Any]])
        #expect(silences.count == 1)
        #expect(silences.first?["id"] as? String == id)
        #expect((silences.first?["status"] as? [String: Any])?["state"] as? String == "active")
        #expect(silences.first?["createdBy"] as? String == "ana")
        let matchers = silences.first?["matchers"] as? [[String: Any]] ?? []
        #expect(matchers.map { $0["name"] as? String } == ["alertname", "host"])
        #expect(matchers.map { $0["isRegex"] as? Bool } == [false, true])

        // incidentctl sees what amtool added.
        let list = try await daemon.ctl("silence", "list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(id))

        let expire = try await Self.amtool(daemon, port: port, "silence", "expire", id)
        #expect(expire.status == 0, "\(expire.stderr)")
        #expect(try await Self.amtool(daemon, port: port, "silence", "query", "-q").stdout.isEmpty)
        let expired = try await Self.amtool(daemon, port: port, "silence", "query", "--expired", "-q")
        #expect(expired.stdout == id + "\n", "\(expired.stderr)")

        // A silence AM refuses is refused here too, and amtool says so.
        let everything = try await Self.amtool(
            daemon, port: port, "silence", "add", #"alertname=~".*""#, "--comment=all", "--author=ana")
        #expect(everything.status != 0)

        // Alerts: the engine lists the alerts of open incidents once it implements activeAlerts(); until then the
        // list is empty but must be in a shape amtool reads.
        let client = try LineClient(path: daemon.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["ok"] as? Bool == true)
        let alerts = try await Self.amtool(daemon, port: port, "alert", "query")
        #expect(alerts.status == 0, "\(alerts.stderr)")
        #expect(alerts.stdout.hasPrefix("Alertname"), "\(alerts.stdout)")
        let alertJSON = try await Self.amtool(daemon, port: port, "alert", "query", "-o", "json")
        #expect(alertJSON.status == 0, "\(alertJSON.stderr)")
        #expect(try CLI.json(alertJSON.stdout) is [Any])
        // A silence also applies to alerts already held (SPEC §11): amtool sees the alert suppressed by it.
        let muting = try await Self.amtool(
            daemon, port: port, "silence", "add", "alertname=DiskFull", "host=db1", "--duration=1h", "--comment=db1",
            "--author=ana")
        #expect(muting.status == 0, "\(muting.stderr)")
        let muteID = muting.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let held = try await Self.amtool(daemon, port: port, "alert", "query", "--silenced", "-o", "json")
        #expect(held.status == 0, "\(held.stderr)")
        let listed = try #require(try CLI.json(held.stdout) as? [[String: Any]])
        let db1 = try #require(listed.first { ($0["labels"] as? [String: String])?["host"] == "db1" })
        let status = db1["status"] as? [String: Any] ?? [:]
        #expect(status["state"] as? String == "suppressed")
        #expect(status["silencedBy"] as? [String] == [muteID])
        #expect((db1["fingerprint"] as? String)?.count == 16)

        // Without the token, the TCP listener refuses amtool.
        let bare = try await CLI.runAbsolute(
            Self.amtool!, ["--alertmanager.url=http://127.0.0.1:\(port)", "silence", "query"])
        #expect(bare.status != 0)
        await daemon.signal(SIGTERM)
    }

    @Test func incidentctlAddsListsAndExpiresSilencesOverTheControlSocket() async throws {
        let daemon = try await RunningDaemon(rules: daemonRules)
        let add = try await daemon.ctl(
            "silence", "add", "alertname=DiskFull", "host!=db9", "--duration", "1h", "--comment", "maintenance",
            "--by", "bo")
        #expect(add.status == 0, "\(add.stderr)\n\(daemon.log().suffix(2000))")
        let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: id) != nil && id == id.lowercased(), "\(add.stdout)")

        let list = try await daemon.ctl("silence", "list")
        #expect(list.status == 0, "\(list.stderr)")
        let row = list.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(row.hasPrefix(id))
        #expect(row.contains(#"alertname="DiskFull" host!="db9""#))
        #expect(row.contains("active"))
        #expect(row.contains("bo"))
        #expect(row.hasSuffix("maintenance"))

        let json = try await daemon.ctl("silence", "list", "--json")
        let silences = try #require(try CLI.json(json.stdout) as? [[String: Any]])
        #expect(silences.first?["id"] as? String == id)

        let one = try await daemon.api("/api/v2/silence/\(id)")
        #expect(one.status == 200)

        let expire = try await daemon.ctl("silence", "expire", id)
        #expect(expire.status == 0, "\(expire.stderr)")
        #expect(try await daemon.ctl("silence", "list").stdout == "no silences\n")
        let all = try await daemon.ctl("silence", "list", "--all")
        #expect(all.stdout.contains(id))
        #expect(all.stdout.contains("expired"))
        let again = try await daemon.ctl("silence", "expire", id)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already expired"), "\(again.stderr)")

        // oncall with no schedules in the rules: an empty answer, not an error.
        let oncall = try await daemon.ctl("oncall")
        #expect(oncall.status == 0, "\(oncall.stderr)")
        #expect(oncall.stdout.hasPrefix("no schedules"))
        let status = try await daemon.api("/api/v2/status")
        #expect(status.status == 200)
        #expect((jsonObject(status.body)["versionInfo"] as? [String: Any])?["version"] as? String == "0.1.0")

        // Silences live in the engine's checkpoint: they come back after a restart.
        _ = await daemon.signal(SIGTERM)
        try await daemon.start()
        let after = try await daemon.ctl("silence", "list", "--all")
        #expect(after.stdout.contains(id), "\(after.stdout)")
        await daemon.signal(SIGTERM)
    }
}
