import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon against a real `systemd-journald`: it reads the local journal, and logs to it when stderr is
/// the journal stream.
@Suite(.serialized, .enabled(if: Journald.unavailableReason == nil, "\(Journald.unavailableReason ?? "")"))
struct JournaldTests {
    @Test func sshFailuresAtInfoLevelInTheLocalJournalOpenASecurityIncident() async throws {
        let journald = try await Journald()
        let daemon = try await RunningDaemon(journal: "{ start_at: end }")
        let address = "198.51.100.\(Int.random(in: 1...250))"
        for port in 0..<6 {
            let cat = ChildProcess()
            cat.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-cat")
            cat.arguments = [
                "-t", "sshd", "-p", "info", "echo", "Failed password for root from \(address) port \(port) ssh2",
            ]
            try cat.run()
            try await onOwnThread { cat.waitUntilExit() }
        }
        try await waitUntil(
            "an ssh-brute-force incident for \(address)", poll: .milliseconds(100), detail: daemon.log()
        ) {
            let list = try await daemon.ctl("list", "--json")
            let incidents = (jsonObject(list.stdout)["incidents"] as? [[String: Any]]) ?? []
            return incidents.contains {
                $0["rule"] as? String == "ssh-brute-force"
                    && ($0["labels"] as? [String: String])?["src_ip"] == address
            }
        }
        #expect(try await journald.entries(["SYSLOG_IDENTIFIER=sshd"]).count >= 6)
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }

    @Test func underAJournalStreamTheDaemonLogsStructuredEntries() async throws {
        let journald = try await Journald()
        // The log file stands in for systemd's stream: JOURNAL_STREAM names its device and inode.
        let probe = try CLI.temporaryDirectory().appendingPathComponent("incidentd.log").path
        _ = FileManager.default.createFile(atPath: probe, contents: nil)
        var info = stat()
        try #require(stat(probe, &info) == 0)
        let stream = "\(info.st_dev):\(info.st_ino)"
        let daemon = try await RunningDaemon(
            rules: daemonRules, environment: ["JOURNAL_STREAM": stream], logPath: probe)
        #expect(await daemon.signal(SIGTERM) == 0)
        var entries: [[String: Any]] = []
        try await waitUntil(
            "the daemon's entries are in the journal", poll: .milliseconds(100),
            detail: "nothing in the journal; stderr had: \(daemon.log())"
        ) {
            entries = try await journald.entries([
                "SYSLOG_IDENTIFIER=incidentd", "INCIDENTD_CONFIG=\(daemon.configPath)",
            ])
            return !entries.isEmpty
        }
        let starting = try #require(
            entries.first { ($0["MESSAGE"] as? String)?.hasPrefix("incidentd starting") == true })
        #expect(starting["PRIORITY"] as? String == "5")
        #expect((starting["CODE_FILE"] as? String)?.hasSuffix("Daemon.swift") == true)
        #expect(Int(starting["CODE_LINE"] as? String ?? "") != nil)
        #expect(starting["INCIDENTD_RULES"] as? String == "3")
        #expect(starting["INCIDENTD_LOGGER"] as? String == "incidentd")
        #expect(!daemon.log().contains("incidentd starting"), "the same lines also went to stderr")
    }
}
