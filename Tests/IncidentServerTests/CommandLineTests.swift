import Foundation
import IncidentCore
import Testing

/// The built `incidentctl` against the real server on a temporary control socket, with the fake API behind it.
@Suite(.serialized) struct CommandLineTests {
    static let incidents = [
        Fixtures.incident(7, state: .open), Fixtures.incident(8, state: .closed, kind: .security, priority: .p2),
    ]

    func run(_ server: TestServer, _ arguments: String...) async throws -> IncidentctlProcess.Output {
        let output = try await IncidentctlProcess.run(
            [arguments[0]] + ["--socket", server.socketPath] + arguments.dropFirst(), environment: ["SUDO_USER": "ana"])
        return output
    }

    @Test func listShowsATableOrTheAPIJSON() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let table = try await run(server, "list")
            #expect(table.status == 0, "\(table.stderr)")
            // OPENED is relative to the wall clock, which the fixtures do not know.
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("ID     PRI  STATE  KIND    ALERTS  EVENTS  OPENED") == true)
            #expect(lines.last?.hasPrefix("INC-7  P1   open   outage  2       5       ") == true)
            #expect(lines.last?.hasSuffix(" ago  Host db7 is down") == true)
            #expect(!table.stdout.contains("INC-8"))

            let json = try await run(server, "list", "--state", "all", "--json")
            #expect(json.status == 0)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((object?["incidents"] as? [Any])?.count == 2)
        }
    }

    @Test func showPrintsTheIncident() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let output = try await run(server, "show", "INC-7")
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.hasPrefix("INC-7  Host db7 is down\n"))
            #expect(output.stdout.contains("TIMELINE"))
            let json = try await run(server, "show", "7", "--json")
            let detail = try JSONDecoder().decode(IncidentDetail.self, from: Data(json.stdout.utf8))
            #expect(detail == Fixtures.detail(Self.incidents[0]))
        }
    }

    @Test func ackPrintsTheNewStateAndAConflictFailsWithTheReason() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let ack = try await run(server, "ack", "INC-7", "--note", "looking")
            #expect(ack.status == 0, "\(ack.stderr)")
            #expect(ack.stdout == "INC-7 is now acknowledged (by ana)\n")
            #expect(await server.api.details[7]?.incident.acknowledgedBy == "ana")

            let again = try await run(server, "reopen", "INC-8", "--by", "bo")
            #expect(again.status == 1)
            #expect(again.stderr == "error: INC-8 is closed: it cannot take reopen\n")

            let missing = try await run(server, "resolve", "INC-99")
            #expect(missing.status == 1)
            #expect(missing.stderr == "error: there is no incident INC-99\n")
        }
    }

    @Test func noteOpenReportAndReview() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let note = try await run(server, "note", "INC-7", "vendor ticket 4711")
            #expect(note.stdout == "note added to INC-7 by ana\n", "\(note.stderr)")

            let open = try await run(
                server, "open", "--kind", "user_issue", "--title", "VPN drops", "--urgency", "high", "--label",
                "team=net")
            #expect(open.status == 0, "\(open.stderr)")
            #expect(open.stdout == "opened INC-9 (P2, open): VPN drops\n")

            let report = try await run(server, "report", "--since", "30d")
            #expect(report.status == 0)
            #expect(report.stdout == "incidents opened since 2026-10-23T07:00:00Z: 0\n")
            #expect(await server.api.reportSince == Timestamp(rfc3339: "2026-10-23T07:00:00Z"))

            let review = try await run(server, "review", "INC-7")
            #expect(review.status == 0)
            #expect(review.stdout.hasPrefix("# Post-incident review: INC-7 — Host db7 is down\n"))
            #expect(review.stdout.contains("vendor ticket 4711"))
        }
    }

    /// `incidentctl --config FILE list`, the way git and systemctl take global options, is what people type
    /// first; the daemon options work on either side of the command, also for a nested one.
    @Test func daemonOptionsMayComeBeforeTheCommand() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let directory = TestServer.makeDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = directory + "/incidentd.yaml"
            try "http: { control_socket: \(server.socketPath) }\n".write(
                toFile: config, atomically: true, encoding: .utf8)
            for arguments in [
                ["--config", config, "list"], ["--config=" + config, "list"], ["list", "--config", config],
                ["--socket", server.socketPath, "list", "--state", "all"],
                ["--config", config, "show", "INC-7"],
            ] {
                let output = try await IncidentctlProcess.run(arguments, environment: ["SUDO_USER": "ana"])
                #expect(output.status == 0, "\(arguments): \(output.stderr)")
                #expect(output.stdout.contains("INC-7"), "\(arguments): \(output.stdout)")
            }
            // A nested command takes them too: `rules check` reads the config for its rule paths.
            let check = try await IncidentctlProcess.run([
                "--config", config, "rules", "check", "--json", "/nonexistent",
            ])
            #expect(check.status == 1, "\(check.stderr)")
            #expect(!check.stderr.contains("Unknown option"), "\(check.stderr)")
            // Before a command that does not take it, the error names the command, like after it.
            let replay = try await IncidentctlProcess.run(["--socket", server.socketPath, "replay", "x.json"])
            #expect(replay.status == 2)
            #expect(replay.stderr.contains("Unknown option '--socket'"), "\(replay.stderr)")
        }
    }

    @Test func aStoppedDaemonIsOneLineAndExit1() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try await IncidentctlProcess.run(["list", "--socket", directory + "/control.sock"])
        #expect(output.status == 1)
        #expect(
            output.stderr
                == "error: cannot reach incidentd at \(directory)/control.sock: no such socket — "
                + "is it running? (--config/--socket)\n")
    }

    @Test(arguments: [
        ["list", "--state", "pending"], ["show", "INC-x"], ["send"], ["report", "--since", "soon"],
        ["open", "--kind", "fire", "--title", "x"], ["note", "7", " "],
    ])
    func usageErrorsExit2(arguments: [String]) async throws {
        let output = try await IncidentctlProcess.run(arguments + ["--socket", "/tmp/incidentd-test-none.sock"])
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
    }

    @Test func sendWritesOneLineAndPrintsTheIncidents() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try FakeIngestSocket(
            path: directory + "/ingest.sock", reply: #"{"ok":true,"accepted":1,"incidents":["INC-3"]}"# + "\n")
        let output = try await IncidentctlProcess.run([
            "send", "--label", "alertname=DiskFull", "--label", "instance=db1", "--annotation", "summary=full",
            "--ingest-socket", fake.path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "accepted: INC-3\n")
        let line = try #require(fake.line())
        let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        #expect(object?["labels"] as? [String: String] == ["alertname": "DiskFull", "instance": "db1"])
    }

    @Test func aRefusedSendExits1WithTheReason() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try FakeIngestSocket(
            path: directory + "/ingest.sock",
            reply: #"{"ok":false,"line":1,"code":"invalid","error":"too many labels (max 64)"}"# + "\n")
        let output = try await IncidentctlProcess.run(["send", "--label", "a=b", "--ingest-socket", fake.path])
        #expect(output.status == 1)
        #expect(output.stderr == "error: refused: too many labels (max 64) [invalid]\n")
        _ = fake.line()
    }

    @Test func mergeAndSplitPrintTheResultingIncident() async throws {
        let api = FakeIncidentAPI(Self.incidents + [Fixtures.incident(9)])
        try await TestServer.with(api: api, listen: nil) { server in
            let merge = try await run(server, "merge", "INC-9", "--into", "7")
            #expect(merge.status == 0, "\(merge.stderr)")
            #expect(merge.stdout == "INC-9 merged into INC-7 (by ana): INC-7 is open, P1, 4 alerts\n")
            #expect(await server.api.details[9]?.incident.state == .closed)

            let itself = try await run(server, "merge", "INC-7", "--into", "INC-7")
            #expect(itself.status == 2)
            #expect(itself.stderr.contains("INC-7 cannot be merged into itself"), "\(itself.stderr)")

            let fingerprint = Labels(["alertname": "HostDown", "instance": "dbx:9100"]).fingerprint
            let split = try await run(server, "split", "INC-7", "--alert", fingerprint.description, "--by", "bo")
            #expect(split.status == 0, "\(split.stderr)")
            #expect(
                split.stdout
                    == "alert \(fingerprint) split off INC-7 into INC-10 (by bo): open, P1, Host db7 is down\n")

            let bad = try await run(server, "split", "INC-7", "--alert", "xyz")
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("is not a fingerprint"), "\(bad.stderr)")
        }
    }

    @Test(arguments: [
        "send", "list", "show", "ack", "resolve", "close", "reopen", "merge", "split", "note", "open", "report",
        "review",
    ])
    func everyCommandExplainsItselfWithAnExample(command: String) async throws {
        let output = try await IncidentctlProcess.run([command, "--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("Example: incidentctl \(command)"), "\(output.stdout)")
    }
}
