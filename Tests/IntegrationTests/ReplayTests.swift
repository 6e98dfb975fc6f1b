import Foundation
import TestSupport
import Testing

@Suite("incidentctl replay")
struct ReplayTests {
    /// Journal export text for entries of one host, one second apart.
    static func export(_ entries: [[String: String]]) -> String {
        var text = ""
        for (i, fields) in entries.enumerated() {
            text += "__REALTIME_TIMESTAMP=\(1_763_800_000_000_000 + i * 1_000_000)\n"
            text += "__MONOTONIC_TIMESTAMP=\(i * 1_000_000 + 1)\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
            for (k, v) in fields.sorted(by: { $0.key < $1.key }) { text += "\(k)=\(v)\n" }
            text += "\n"
        }
        return text
    }

    static let entries: [[String: String]] =
        (0..<6).map {
            [
                "_HOSTNAME": "web1", "SYSLOG_IDENTIFIER": "sshd", "PRIORITY": "5", "_UID": "0",
                "MESSAGE": "Failed password for root from 10.0.0.9 port \(4000 + $0) ssh2",
            ]
        } + [
            [
                "_HOSTNAME": "web1", "SYSLOG_IDENTIFIER": "kernel", "PRIORITY": "3", "_TRANSPORT": "kernel",
                "MESSAGE": "Out of memory: Killed process 1234 (java) total-vm:100kB",
            ]
        ]

    /// Writes a real journal file with systemd-journal-remote.
    static func journalFile(in dir: URL) async throws -> URL {
        try await JournalRemote.write(export: Data(export(entries).utf8), to: dir.path, name: "fixture")
        return dir.appendingPathComponent("fixture.journal")
    }

    static func incidents(_ out: CLI.Output) throws -> [[String: Any]] {
        let object = try #require(try CLI.json(out.stdout) as? [String: Any])
        return try #require(object["incidents"] as? [[String: Any]])
    }

    @Test func aRealJournalFileAndItsDirectoryBecomeTheExpectedIncidents() async throws {
        let dir = try CLI.temporaryDirectory()
        let file = try await Self.journalFile(in: dir)
        for arguments in [[file.path], ["--journal-dir", dir.path]] {
            let out = try await CLI.run("incidentctl", ["replay", "--rules", "rules/", "--json"] + arguments)
            #expect(out.status == 0, "\(out.stderr)")
            let incidents = try Self.incidents(out)
            #expect(incidents.map { $0["rule"] as? String } == ["ssh-brute-force", "kernel-oom-kill"])
            #expect(incidents.first?["events"] as? Int == 6)
            #expect((incidents.first?["labels"] as? [String: String])?["src_ip"] == "10.0.0.9")
            #expect(incidents.first?["kind"] as? String == "security")
        }
    }

    @Test func exportTextReplaysLikeTheJournalFile() async throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("entries.export")
        try Self.export(Self.entries).write(to: file, atomically: true, encoding: .utf8)
        let out = try await CLI.incidentctl("replay", "--rules", "rules/", "--json", file.path)
        #expect(try Self.incidents(out).map { $0["rule"] as? String } == ["ssh-brute-force", "kernel-oom-kill"])
    }

    @Test func badLinesAreReportedAndTheGoodOnesAroundThemReplayed() async throws {
        let dir = try CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("stream.ndjson")
        let lines = [
            #"{"labels":{"alertname":"HostDown","instance":"db1:9100","severity":"critical"},"startsAt":"2026-11-22T06:00:00Z"}"#,
            #"{"labels":{"alertname":"#,
            "not json at all",
            #"{"labels":{}}"#,
            #"{"labels":{"alertname":"HostDown","instance":"db1:9100","severity":"critical"},"startsAt":"2026-11-22T06:00:00Z","endsAt":"2026-11-22T06:05:00Z","status":"resolved"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let out = try await CLI.incidentctl("replay", "--rules", "rules/", "--json", file.path)
        #expect(out.status == 0)
        let incidents = try Self.incidents(out)
        #expect(incidents.count == 1)
        #expect(incidents.first?["state"] as? String == "resolved")
        #expect(incidents.first?["events"] as? Int == 2)
        for line in [2, 3, 4] { #expect(out.stderr.contains("stream.ndjson:\(line):"), "line \(line): \(out.stderr)") }
        let object = try #require(try CLI.json(out.stdout) as? [String: Any])
        #expect((object["problems"] as? [String])?.count == 3)
    }

    @Test func everyAlertmanagerSampleReplaysAsItsIncidents() async throws {
        let samples = CLI.repositoryRoot.appendingPathComponent("Tests/IncidentCoreTests/Fixtures/alertmanager")
        let files = try FileManager.default.contentsOfDirectory(atPath: samples.path).sorted().map {
            samples.appendingPathComponent($0).path
        }
        let out = try await CLI.run("incidentctl", ["replay", "--rules", "rules/", "--json"] + files)
        #expect(out.status == 0, "\(out.stderr)")
        let object = try #require(try CLI.json(out.stdout) as? [String: Any])
        let events = try #require(object["events"] as? [String: Int])
        #expect(events["read"] == 38)
        #expect(events["unmatched"] == 0)
        let incidents = try Self.incidents(out)
        // 001 DiskFull on db-1 fires and 005 resolves it; 006 resolves two of the three api alerts of 003/004.
        let disk = incidents.first { ($0["title"] as? String)?.contains("db-1") == true }
        #expect(disk?["state"] as? String == "resolved")
        #expect(incidents.allSatisfy { ($0["id"] as? String)?.hasPrefix("INC-") == true })
    }
}
