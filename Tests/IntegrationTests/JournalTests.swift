import Foundation
import IncidentCore
import IncidentStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let journalAppRules = """
    rules:
      - name: app-errors
        match: ['identifier="app"']
        kind: degradation
        impact: low
        urgency: low
        group_by: [host]
    escalation_policies:
      - name: default
        steps:
          - { after: 0s, notify: [oncall] }
    escalation_by_priority: { P1: default, P2: default, P3: default, P4: default, P5: default }
    """

/// The journal source in the real daemon, over journal files made by `systemd-journal-remote`.
@Suite(.serialized, .enabled(if: JournalFiles.available, "needs systemd-journal-remote"))
struct JournalTests {
    /// A fresh journal directory beside the daemon's files.
    func journalDirectory() throws -> String {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("journal").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theShippedRulesTurnJournalEntriesIntoIncidents() async throws {
        let dir = try journalDirectory()
        var entries: [[String: String]] = [
            [
                "MESSAGE": "nginx.service: Failed with result 'exit-code'.", "PRIORITY": "4",
                "SYSLOG_IDENTIFIER": "systemd", "MESSAGE_ID": "d9b373ed55a64feb8242e02dbe79a49c",
                "UNIT": "nginx.service", "_SYSTEMD_UNIT": "init.scope", "_HOSTNAME": "web1", "_UID": "0",
            ],
            [
                "MESSAGE": "Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4023456kB",
                "PRIORITY": "3", "SYSLOG_IDENTIFIER": "kernel", "_HOSTNAME": "db1", "_TRANSPORT": "kernel",
            ],
            [
                "MESSAGE": "I/O error, dev sdb, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2",
                "PRIORITY": "3", "SYSLOG_IDENTIFIER": "kernel", "_HOSTNAME": "db1", "_TRANSPORT": "kernel",
            ],
        ]
        // sshd logs failed passwords at PRIORITY 6: only the derived matches (identifier sshd) let them in.
        for port in 0..<6 {
            entries.append([
                "MESSAGE": "Failed password for root from 203.0.113.9 port \(52000 + port) ssh2", "PRIORITY": "6",
                "SYSLOG_IDENTIFIER": "sshd", "_SYSTEMD_UNIT": "ssh.service", "_HOSTNAME": "bastion", "_UID": "0",
            ])
        }
        // The same lines forged by an ordinary user (`logger -t sshd`): journald records _UID=1000, and the
        // shipped rules take sshd's word from root alone. Read (identifier sshd), then dropped as routine.
        for port in 0..<6 {
            entries.append([
                "MESSAGE": "Failed password for root from 198.51.100.7 port \(53000 + port) ssh2", "PRIORITY": "6",
                "SYSLOG_IDENTIFIER": "sshd", "_UID": "1000", "_EXE": "/usr/bin/logger", "_HOSTNAME": "bastion",
            ])
        }
        // Noise at info level from a program no rule names: not read at all.
        for n in 0..<50 {
            entries.append([
                "MESSAGE": "cache refreshed \(n)", "PRIORITY": "6", "SYSLOG_IDENTIFIER": "chatty", "_HOSTNAME": "web1",
            ])
        }
        try await JournalFiles.write(entries, to: dir)
        let daemon = try await RunningDaemon(journal: "{ directory: \(dir), start_at: beginning }")
        try await waitUntil("15 journal entries are committed", detail: daemon.log()) {
            try await daemon.metric("incidentd_journal_entries_committed") == 15
        }
        #expect(try await daemon.metric("incidentd_journal_entries_read") == 15)
        let list = try await daemon.ctl("list", "--json")
        let incidents = (jsonObject(list.stdout)["incidents"] as? [[String: Any]]) ?? []
        let byRule = Dictionary(
            incidents.map { ($0["rule"] as? String ?? "?", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(
            Set(byRule.keys) == ["systemd-unit-failed", "kernel-oom-kill", "disk-io-error", "ssh-brute-force"],
            "\(list.stdout)")
        #expect(byRule["systemd-unit-failed"]?["kind"] as? String == "outage")
        #expect(byRule["systemd-unit-failed"]?["title"] as? String == "nginx.service failed")
        #expect(byRule["kernel-oom-kill"]?["title"] as? String == "OOM killer on db1 killed java")
        #expect(byRule["disk-io-error"]?["kind"] as? String == "degradation")
        #expect(byRule["ssh-brute-force"]?["kind"] as? String == "security")
        #expect(byRule["ssh-brute-force"]?["events"] as? Int == 6)
        #expect((byRule["ssh-brute-force"]?["labels"] as? [String: String])?["src_ip"] == "203.0.113.9")
        let ready = try await daemon.api("/readyz")
        #expect(ready.status == 200, "\(ready.body)")
        #expect(ready.body.contains(dir))
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }

    @Test func aRestartMidStreamResumesAtTheCursorWithNoDuplicateAndNoGap() async throws {
        let dir = try journalDirectory()
        try await JournalFiles.write((0..<60_000).map(JournalFiles.line), to: dir)
        let daemon = try await RunningDaemon(
            rules: journalAppRules, journal: "{ directory: \(dir), start_at: beginning }")
        // Killed while it reads: whatever was committed stays, with its cursor.
        try await waitUntil("a first journal entry is committed", detail: daemon.log()) {
            await (try daemon.metric("incidentd_journal_entries_committed") ?? 0) > 0
        }
        let before = try await daemon.metric("incidentd_journal_entries_committed") ?? 0
        await daemon.signal(SIGKILL)
        try await JournalFiles.write((60_000..<70_000).map(JournalFiles.line), to: dir)
        try await daemon.start()
        // Stopped cleanly once the last entry is in the store (the journal is read in order, so everything
        // before it has been read too), then the store is the judge. Waiting for the count to stand still
        // for a while instead would stop a daemon that a slow host merely paused.
        let store = try SQLiteStore(path: daemon.database)
        var after: Int64 = 0
        var last: Int?
        try await waitUntil(
            "line 69999 is in the store", timeout: .seconds(240), poll: .milliseconds(100),
            detail: daemon.log()
        ) {
            let page = try await store.events(after: after, limit: 10_000)
            if let tail = page.last {
                after = tail.id
                last = tail.event.annotations["message"].flatMap { Int($0.dropFirst(5)) }
            }
            return last == 69_999
        }
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
        let seqs = try await seqs(in: daemon.database)
        let gaps = gapsAndDuplicates(seqs, expected: 70_000)
        #expect(seqs.count == 70_000, "killed after \(Int(before)) committed")
        #expect(
            gaps.missing.isEmpty && gaps.duplicates.isEmpty,
            "missing \(gaps.missing.prefix(10)), twice \(gaps.duplicates.prefix(10))")
    }

    @Test func aReloadThatNamesANewIdentifierWidensTheDerivedMatches() async throws {
        let dir = try journalDirectory()
        let daemon = try await RunningDaemon(
            rules: journalAppRules, journal: "{ directory: \(dir), start_at: beginning }")
        let quiet = ["MESSAGE": "backup done", "PRIORITY": "6", "SYSLOG_IDENTIFIER": "backup", "_HOSTNAME": "h"]
        try await JournalFiles.write([quiet, JournalFiles.line(1)], to: dir)
        try await waitUntil("the first app line is committed", detail: daemon.log()) {
            try await daemon.metric("incidentd_journal_entries_committed") == 1
        }
        let rulesFile = daemon.directory.appendingPathComponent("rules/10-test.yaml")
        let widened = journalAppRules.replacingOccurrences(
            of: "rules:\n",
            with:
                "rules:\n  - { name: backups, match: ['identifier=\"backup\"'], kind: degradation, impact: low, urgency: low }\n"
        )
        try widened.write(to: rulesFile, atomically: true, encoding: .utf8)
        await daemon.signal(SIGHUP, wait: false)
        try await waitUntil("the reload takes effect", detail: daemon.log()) {
            try await daemon.metric("incidentd_rule_reloads_total") == 1
        }
        try await JournalFiles.write([quiet, JournalFiles.line(2)], to: dir)
        // The new backup line is read; the one passed over before the reload is not read again.
        try await waitUntil("the new backup line is committed", detail: daemon.log()) {
            try await daemon.metric("incidentd_journal_entries_committed") == 3
        }
        // A sentinel entry rather than a pause: the journal is read in order, so a re-read of the entry passed
        // over before the reload would be counted before this one is committed.
        try await JournalFiles.write([JournalFiles.line(3)], to: dir)
        try await waitUntil("the sentinel entry is committed", detail: daemon.log()) {
            try await daemon.metric("incidentd_journal_entries_committed") == 4
        }
        #expect(try await daemon.metric("incidentd_journal_entries_read") == 4)
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }

    /// The `line N` numbers of every journal event in the store, in store order.
    func seqs(in database: String) async throws -> [Int] {
        let store = try SQLiteStore(path: database)
        var numbers: [Int] = []
        var after: Int64 = 0
        while true {
            let page = try await store.events(after: after, limit: 10_000)
            guard let last = page.last else { break }
            after = last.id
            numbers += page.compactMap { $0.event.annotations["message"].flatMap { Int($0.dropFirst(5)) } }
        }
        return numbers
    }

    @Test func aMissingJournalDirectoryIsAReadinessProblemAndTheDaemonKeepsServing() async throws {
        let missing = try CLI.temporaryDirectory().appendingPathComponent("no-such-journal").path
        let daemon = try await RunningDaemon(rules: daemonRules, journal: "{ directory: \(missing) }")
        let ready = try await daemon.api("/readyz")
        #expect(ready.status == 503, "\(ready.body)")
        #expect(ready.body.contains("journal"))
        #expect(ready.body.contains(missing))
        #expect(try await daemon.metric("incidentd_journal_open") == 0)
        let client = try LineClient(path: daemon.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["ok"] as? Bool == true)
        #expect(daemon.log().contains("journal source cannot open the journal"))
        // It comes back by itself once the directory exists.
        try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        try await JournalFiles.write([JournalFiles.line(0)], to: missing)
        try await waitUntil("/readyz answers 200", detail: daemon.log()) {
            try await daemon.api("/readyz").status == 200
        }
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }
}

/// The numbers below `expected` that are absent, and those present more than once (compact failure messages).
func gapsAndDuplicates(_ numbers: [Int], expected: Int) -> (missing: [Int], duplicates: [Int]) {
    var seen = [Int](repeating: 0, count: expected)
    var duplicates: [Int] = []
    for n in numbers where n >= 0 && n < expected {
        seen[n] += 1
        if seen[n] == 2 { duplicates.append(n) }
    }
    return (seen.indices.filter { seen[$0] == 0 }, duplicates)
}
