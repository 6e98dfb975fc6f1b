import Foundation
import IncidentCore
import Testing

/// The built `incidentctl silence` and `oncall` against the real server on a temporary control socket, with the
/// fake API behind it.
@Suite(.serialized) struct SilenceCommandLineTests {
    func run(_ server: TestServer, _ arguments: [String]) async throws -> IncidentctlProcess.Output {
        try await IncidentctlProcess.run(
            arguments + ["--socket", server.socketPath], environment: ["SUDO_USER": "ana"])
    }

    @Test func addListAndExpireASilence() async throws {
        try await TestServer.with(listen: nil) { server in
            // The fake's clock is behind the wall clock: --starts and --until put the silence around both.
            let add = try await run(
                server,
                [
                    "silence", "add", "alertname=DiskFull", #"host=~"db.*""#, "--starts", "2026-11-22T06:00:00Z",
                    "--until",
                    "2099-01-01T00:00:00Z",
                    "--comment", "resizing \u{1B}[31mred",
                ])
            #expect(add.status == 0, "\(add.stderr)")
            let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let stored = try #require(await server.api.silenceTable[id])
            #expect(stored.createdBy == "ana")
            #expect(
                stored.matchers == [
                    SilenceMatcher(name: "alertname", value: "DiskFull"),
                    SilenceMatcher(name: "host", value: "db.*", isRegex: true),
                ])

            let list = try await run(server, ["silence", "list"])
            #expect(list.status == 0, "\(list.stderr)")
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ID") == true)
            #expect(lines.count == 2)
            #expect(lines.last?.contains(#"alertname="DiskFull" host=~"db.*""#) == true)
            #expect(lines.last?.contains("active") == true)
            #expect(lines.last?.contains("ana") == true)
            // The escape sequence in the comment is shown, not obeyed.
            #expect(lines.last?.hasSuffix(#"resizing \u{1b}[31mred"#) == true)
            #expect(!list.stdout.contains("\u{1B}"))

            let expire = try await run(server, ["silence", "expire", id, "--by", "bo"])
            #expect(expire.status == 0, "\(expire.stderr)")
            #expect(await server.api.expiredBy[id] == "bo")
            #expect(try await run(server, ["silence", "list"]).stdout == "no silences\n")
            let all = try await run(server, ["silence", "list", "--all", "--json"])
            let listed = try JSONDecoder().decode([GettableSilence].self, from: Data(all.stdout.utf8))
            #expect(listed.map(\.silence.id) == [id])

            let again = try await run(server, ["silence", "expire", id])
            #expect(again.status == 1)
            #expect(again.stderr.hasPrefix("error: "))
        }
    }

    @Test func fromTakesTheIncidentsLabels() async throws {
        var incident = Fixtures.incident(7)
        incident.labels = ["host": "db7", "alertname": "HostDown"]
        try await TestServer.with(api: FakeIncidentAPI([incident]), listen: nil) { server in
            let add = try await run(
                server, ["silence", "add", "--from", "INC-7", "--until", "2099-01-01T00:00:00Z", "--comment", "known"])
            #expect(add.status == 0, "\(add.stderr)")
            let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(
                await server.api.silenceTable[id]?.matchers.map(\.text) == [#"alertname="HostDown""#, #"host="db7""#])
            let missing = try await run(
                server, ["silence", "add", "--from", "INC-9", "--duration", "2h", "--comment", "known"])
            #expect(missing.status == 1)
        }
    }

    @Test(
        arguments: [
            (["silence", "add", "a=b", "--comment", "c"], "--duration"),
            (["silence", "add", "a=b", "--duration", "2h"], "--comment"),
            (["silence", "add", "nonsense", "--duration", "2h", "--comment", "c"], "has no operator"),
            (["oncall", "--at", "noon"], "RFC 3339"),
        ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let output = try await run(server, arguments)
            #expect(output.status == 2, "\(output.stderr)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
            #expect(await server.api.silenceTable.isEmpty)
        }
    }

    @Test func onCallPrintsATableOrTheJSON() async throws {
        let api = FakeIncidentAPI()
        let now = Fixtures.now
        await api.set(schedules: [
            OnCallStatus(
                name: "primary", timezone: "Europe/Berlin",
                now: OnCallShift(user: "alice", start: now, end: now + .seconds(3600), isOverride: false),
                next: OnCallShift(
                    user: "dave", start: now + .seconds(3600), end: now + .seconds(7200), isOverride: true))
        ])
        try await TestServer.with(api: api, listen: nil) { server in
            let table = try await run(server, ["oncall", "primary", "--at", "2026-11-22T07:00:00Z"])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("SCHEDULE") == true)
            #expect(lines.last?.hasPrefix("primary   Europe/Berlin  alice") == true)
            #expect(lines.last?.contains("dave (override)") == true)
            #expect(await server.api.onCallAsked == [now])

            let json = try await run(server, ["oncall", "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((object?["schedules"] as? [Any])?.count == 1)

            let unknown = try await run(server, ["oncall", "secondary"])
            #expect(unknown.status == 1)
        }
    }
}
