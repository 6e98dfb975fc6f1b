import Foundation
import TestSupport
import Testing

/// SPEC §13, end to end: a realistic bad hour of one host, written as a real journal file with
/// systemd-journal-remote, replayed through the shipped rules. Six problems (a unit dying of OOM, a failing
/// disk, an SSH attack, sudo abuse, a core dump, and an unrelated unit failure) and ordinary noise must give
/// one incident per problem: the unit's four symptoms, the disk's three and the attack's two rules are one
/// incident each.
@Suite("a bad hour, replayed")
struct BadHourTests {
    static let host = "db1"
    static let base: Int64 = 1_764_000_000_000_000

    /// (seconds into the hour, journal fields)
    static var entries: [(Int, [String: String])] {
        var e: [(Int, [String: String])] = []
        func pid1(_ t: Int, unit: String, id: String, priority: String, _ message: String) {
            e.append(
                (
                    t,
                    [
                        "SYSLOG_IDENTIFIER": "systemd", "_UID": "0", "_SYSTEMD_UNIT": "init.scope", "UNIT": unit,
                        "MESSAGE_ID": id, "PRIORITY": priority, "MESSAGE": message,
                    ]
                ))
        }
        func kernel(_ t: Int, priority: String, _ message: String) {
            e.append(
                (t, ["SYSLOG_IDENTIFIER": "kernel", "_TRANSPORT": "kernel", "PRIORITY": priority, "MESSAGE": message]))
        }
        func auth(_ t: Int, _ identifier: String, exe: String, priority: String, _ message: String) {
            e.append(
                (
                    t,
                    [
                        "SYSLOG_IDENTIFIER": identifier, "_UID": "0", "_EXE": exe, "_TRANSPORT": "syslog",
                        "PRIORITY": priority, "MESSAGE": message,
                    ]
                ))
        }
        // Noise all hour: routine info lines.
        for t in stride(from: 0, to: 3600, by: 300) {
            auth(
                t, "sshd", exe: "/usr/sbin/sshd", priority: "6",
                "Accepted publickey for deploy from 10.1.1.5 port 50000 ssh2")
            auth(
                t + 1, "CRON", exe: "/usr/sbin/cron", priority: "6",
                "pam_unix(cron:session): session opened for user root(uid=0)")
        }
        // 1. postgresql dies of OOM: the kernel's line, PID 1's line for the unit, the failure, three restarts.
        kernel(
            60, priority: "3",
            "Out of memory: Killed process 4242 (postgres) total-vm:8123456kB, anon-rss:4000000kB, file-rss:0kB, shmem-rss:0kB, UID:110 pgtables:9000kB oom_score_adj:0"
        )
        pid1(
            61, unit: "postgresql.service", id: "fe6faa94e7774663a0da52717891d8ef", priority: "5",
            "postgresql.service: A process of this unit has been killed by the OOM killer.")
        pid1(
            61, unit: "postgresql.service", id: "d9b373ed55a64feb8242e02dbe79a49c", priority: "4",
            "postgresql.service: Failed with result 'oom-kill'.")
        for (i, t) in [70, 130, 190].enumerated() {
            pid1(
                t, unit: "postgresql.service", id: "5eb03494b6584870a536b337290809b3", priority: "6",
                "postgresql.service: Scheduled restart job, restart counter is at \(i + 1).")
        }
        // 2. A failing disk: block-layer I/O errors on sdb, the filesystem's error on sdb1, the read-only remount.
        kernel(600, priority: "3", "I/O error, dev sdb, sector 2048 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2")
        kernel(
            601, priority: "2",
            "EXT4-fs error (device sdb1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0")
        kernel(602, priority: "2", "EXT4-fs (sdb1): Remounting filesystem read-only")
        kernel(900, priority: "3", "Buffer I/O error on dev sdb1, logical block 0, async page read")
        // 3. An SSH attack from one address: probes for unknown users and failed passwords.
        for i in 0..<6 {
            auth(
                1200 + i * 10, "sshd", exe: "/usr/sbin/sshd", priority: "6",
                "Invalid user u\(i) from 203.0.113.9 port \(40000 + i)")
            auth(
                1201 + i * 10, "sshd", exe: "/usr/sbin/sshd", priority: "6",
                "Failed password for invalid user u\(i) from 203.0.113.9 port \(40000 + i) ssh2")
        }
        // 4. sudo abuse by one account: wrong passwords, then a refusal.
        auth(
            1800, "sudo", exe: "/usr/bin/sudo", priority: "1",
            "mallory : 3 incorrect password attempts ; TTY=pts/2 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/bash")
        auth(
            1860, "sudo", exe: "/usr/bin/sudo", priority: "1",
            "mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/bash")
        // 5. A core dump.
        e.append(
            (
                2400,
                [
                    "SYSLOG_IDENTIFIER": "systemd-coredump", "_UID": "0",
                    "_SYSTEMD_UNIT": "systemd-coredump@0-5555-0.service",
                    "MESSAGE_ID": "fc2e22bc6ee647b6b90729ab34a250b1",
                    "PRIORITY": "2", "MESSAGE": "Process 5555 (report-gen) of user 1000 dumped core.",
                ]
            ))
        // 6. Another unit fails on its own, at the same time as the OOM: its own incident.
        pid1(
            65, unit: "nginx.service", id: "d9b373ed55a64feb8242e02dbe79a49c", priority: "4",
            "nginx.service: Failed with result 'exit-code'.")
        return e.sorted { $0.0 < $1.0 }
    }

    static func export() -> String {
        var text = ""
        for (i, (t, fields)) in entries.enumerated() {
            text += "__REALTIME_TIMESTAMP=\(base + Int64(t) * 1_000_000 + Int64(i))\n"
            text += "__MONOTONIC_TIMESTAMP=\(Int64(t) * 1_000_000 + Int64(i) + 1)\n"
            text += "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=\(host)\n"
            for (k, v) in fields.sorted(by: { $0.key < $1.key }) { text += "\(k)=\(v)\n" }
            text += "\n"
        }
        return text
    }

    @Test(.enabled(if: JournalRemote.available, "systemd-journal-remote is not installed; scripts/setup installs it"))
    func oneIncidentPerProblem() async throws {
        let dir = try CLI.temporaryDirectory()
        try await JournalRemote.write(export: Data(Self.export().utf8), to: dir.path, name: "bad-hour")
        let file = dir.appendingPathComponent("bad-hour.journal").path
        #expect(FileManager.default.fileExists(atPath: file))
        let out = try await CLI.incidentctl("replay", "--rules", "rules/", "--json", file)
        #expect(out.status == 0, "\(out.stderr)")
        let object = try #require(try CLI.json(out.stdout) as? [String: Any])
        let incidents = try #require(object["incidents"] as? [[String: Any]])
        let summary = incidents.map {
            "\($0["rule"] as? String ?? "?") \($0["kind"] as? String ?? "?") alerts=\($0["alerts"] as? Int ?? -1)"
        }
        #expect(
            summary == [
                "kernel-oom-kill outage alerts=4", "systemd-unit-failed outage alerts=1",
                "disk-io-error outage alerts=4", "ssh-invalid-user security alerts=12",
                "sudo-auth-failure security alerts=2", "core-dump degradation alerts=1",
            ], "\(summary)")
    }
}
