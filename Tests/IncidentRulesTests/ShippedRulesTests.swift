import Foundation
import IncidentConfig
import IncidentCore
import IncidentIngest
import IncidentRules
import Testing

/// The repository's `rules/` directory and the dev config whose notifiers it escalates to.
enum Repository {
    /// `Tests/IncidentRulesTests/ShippedRulesTests.swift` → the repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let rules = root.appendingPathComponent("rules").path
    static let devConfig = root.appendingPathComponent("dev/incidentd.yaml").path

    static func notifierNames() throws -> Set<String> {
        let loaded = Configuration.load(path: devConfig)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let configuration = try #require(loaded.configuration)
        return Set(configuration.notifiers.map(\.name))
    }

    static func load() throws -> RuleSetLoader.Result {
        RuleSetLoader(knownNotifiers: try notifierNames()).load(paths: [rules])
    }

    static func ruleSet() throws -> RuleSet {
        try #require(try load().ruleSet)
    }
}

/// An event and what the shipped rules must make of it.
struct ShippedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var payload: String
    var rule: String
    /// Nil for a rule that drops the event.
    var kind: IncidentKind?
    var priority: Priority?
    /// Labels the alert must carry after extraction.
    var labels: [String: String] = [:]

    var testDescription: String { name }

    static func journal(
        _ name: String, message: String, identifier: String, priority: Int, messageID: String? = nil,
        unit: String? = nil, host: String = "web1", rule: String, _ kind: IncidentKind?, _ expected: Priority?,
        labels: [String: String] = [:]
    ) -> ShippedCase {
        var entry: [String: String] = [
            "MESSAGE": message, "SYSLOG_IDENTIFIER": identifier, "PRIORITY": String(priority), "_HOSTNAME": host,
            "__REALTIME_TIMESTAMP": "1763800000000000", "_TRANSPORT": "journal",
        ]
        if let messageID { entry["MESSAGE_ID"] = messageID }
        if let unit { entry["UNIT"] = unit }
        // What journald itself records for the real senders of these lines (the shipped rules trust only these).
        entry.merge(trustedFields(identifier: identifier)) { _, trusted in trusted }
        return ShippedCase(
            name: name, payload: json(entry), rule: rule, kind: kind, priority: expected, labels: labels)
    }

    /// The fields journald sets for the program that really logs as `identifier` on Debian.
    static func trustedFields(identifier: String) -> [String: String] {
        switch identifier {
        case "kernel": ["_TRANSPORT": "kernel"]
        case "sudo": ["_UID": "0", "_EXE": "/usr/bin/sudo", "_TRANSPORT": "syslog"]
        case "systemd-oomd": ["_UID": "993", "_SYSTEMD_UNIT": "systemd-oomd.service"]
        case "systemd-coredump": ["_UID": "0", "_SYSTEMD_UNIT": "systemd-coredump@0-4242-0.service"]
        case "systemd": ["_UID": "0", "_SYSTEMD_UNIT": "init.scope"]
        default: ["_UID": "0"]
        }
    }

    /// An Alertmanager webhook (version 4) holding one firing alert.
    static func alertmanager(
        _ name: String, _ alertLabels: [String: String], rule: String, _ kind: IncidentKind?, _ expected: Priority?
    ) -> ShippedCase {
        let webhook: [String: Any] = [
            "version": "4", "status": "firing", "receiver": "incidentd", "groupLabels": [:] as [String: String],
            "alerts": [
                [
                    "status": "firing", "labels": alertLabels, "annotations": ["summary": "test"],
                    "startsAt": "2026-11-22T06:18:48.534Z", "endsAt": "0001-01-01T00:00:00Z",
                ] as [String: Any]
            ],
        ]
        return ShippedCase(name: name, payload: json(webhook), rule: rule, kind: kind, priority: expected)
    }

    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}

enum ShippedCases {
    static let unitFailed = "d9b373ed55a64feb8242e02dbe79a49c"

    static let all: [ShippedCase] = [
        // 10-systemd.yaml
        .journal(
            "start limit hit", message: "nginx.service: Failed with result 'start-limit-hit'.", identifier: "systemd",
            priority: 4, messageID: unitFailed, unit: "nginx.service", rule: "systemd-start-limit-hit", .outage, .p2),
        .journal(
            "unit entered failed state", message: "nginx.service: Failed with result 'exit-code'.",
            identifier: "systemd", priority: 4, messageID: unitFailed, unit: "nginx.service",
            rule: "systemd-unit-failed", .outage, .p3),
        .journal(
            "start job failed", message: "Failed to start nginx.service - A high performance web server.",
            identifier: "systemd", priority: 3, messageID: "be02cf6855d2428ba40df7e9d022f03d", unit: "nginx.service",
            rule: "systemd-unit-failed", .outage, .p3),
        .journal(
            "restart scheduled", message: "nginx.service: Scheduled restart job, restart counter is at 3.",
            identifier: "systemd", priority: 6, messageID: "5eb03494b6584870a536b337290809b3", unit: "nginx.service",
            rule: "systemd-restart-loop", .degradation, .p3),
        // 20-kernel.yaml
        .journal(
            "kernel OOM kill",
            message: "Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4000000kB, file-rss:0kB",
            identifier: "kernel", priority: 3, rule: "kernel-oom-kill", .degradation, .p3, labels: ["process": "java"]),
        .journal(
            "unit lost a process to the OOM killer",
            message: "postgresql.service: A process of this unit has been killed by the OOM killer.",
            identifier: "systemd", priority: 5, messageID: "fe6faa94e7774663a0da52717891d8ef",
            unit: "postgresql.service",
            rule: "systemd-unit-oom-kill", .degradation, .p3),
        .journal(
            "core dump",
            message:
                "Process 3141 (redis-server) of user 999 dumped core.\n\nStack trace of thread 3141:\n#0  0x00007f raise",
            identifier: "systemd-coredump", priority: 2, messageID: "fc2e22bc6ee647b6b90729ab34a250b1",
            rule: "core-dump", .degradation, .p4, labels: ["process": "redis-server"]),
        .journal(
            "block I/O error",
            message:
                "blk_update_request: I/O error, dev sda, sector 123456 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0",
            identifier: "kernel", priority: 3, rule: "disk-io-error", .degradation, .p2, labels: ["device": "sda"]),
        .journal(
            "ext4 error",
            message: "EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
            identifier: "kernel", priority: 2, rule: "filesystem-error", .degradation, .p2, labels: ["device": "sda1"]),
        .journal(
            "ext4 remounted read-only", message: "EXT4-fs (sda1): Remounting filesystem read-only",
            identifier: "kernel",
            priority: 2, rule: "filesystem-read-only", .outage, .p2, labels: ["device": "sda1"]),
        .journal(
            "xfs metadata I/O error",
            message:
                #"XFS (sdb1): metadata I/O error in "xfs_buf_ioend+0x1d0/0x4a0 [xfs]" at daddr 0x1f0 len 8 error 5"#,
            identifier: "kernel", priority: 3, rule: "filesystem-error", .degradation, .p2, labels: ["device": "sdb1"]),
        // 30-auth.yaml
        .journal(
            "ssh failed password", message: "Failed password for invalid user admin from 203.0.113.9 port 52212 ssh2",
            identifier: "sshd", priority: 6, rule: "ssh-brute-force", .security, .p2,
            labels: ["user": "admin", "src_ip": "203.0.113.9"]),
        .journal(
            "ssh invalid user", message: "Invalid user oracle from 203.0.113.9 port 41234", identifier: "sshd",
            priority: 6, rule: "ssh-invalid-user", .security, .p4, labels: ["invalid_user": "oracle"]),
        .journal(
            "sudo incorrect password",
            message:
                "    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash",
            identifier: "sudo", priority: 1, rule: "sudo-auth-failure", .security, .p4, labels: ["user": "alice"]),
        .journal(
            "sudo not in sudoers",
            message: "mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id",
            identifier: "sudo", priority: 1, rule: "sudo-not-permitted", .security, .p3, labels: ["user": "mallory"]),
        .journal(
            "account locked by pam_faillock",
            message: "pam_faillock(sshd:auth): Consecutive login failures for user alice account temporarily locked",
            identifier: "sshd", priority: 5, rule: "account-locked", .userIssue, .p4, labels: ["user": "alice"]),
        // 99-catch-all.yaml
        .journal(
            "routine info", message: "Started Session 42 of User alice.", identifier: "systemd", priority: 6,
            rule: "journal-routine", nil, nil),
        .journal(
            "unknown error", message: "cannot connect to database: connection refused", identifier: "myapp",
            priority: 3, unit: "myapp.service", rule: "journal-error", .degradation, .p4),
        // 40-prometheus.yaml
        .alertmanager(
            "HostDown", ["alertname": "HostDown", "instance": "db-1:9100", "job": "node", "severity": "critical"],
            rule: "host-down", .outage, .p2),
        .alertmanager(
            "Watchdog", ["alertname": "Watchdog", "severity": "none"], rule: "prometheus-heartbeat", nil, nil),
        .alertmanager(
            "HighLatency",
            ["alertname": "HighLatency", "instance": "web-1:8080", "service": "web", "severity": "warning"],
            rule: "service-latency-errors", .degradation, .p3),
        .alertmanager(
            "HighCPU", ["alertname": "HighCPU", "instance": "node-1:9100", "service": "svc", "severity": "critical"],
            rule: "resource-saturation", .degradation, .p3),
        .alertmanager(
            "DiskFull", ["alertname": "DiskFull", "instance": "db-1:9100", "service": "db", "severity": "critical"],
            rule: "disk-space", .degradation, .p2),
        .alertmanager(
            "unknown critical alert",
            ["alertname": "PostgresReplicationLag", "instance": "db-1:9187", "severity": "critical"],
            rule: "prometheus-critical", .degradation, .p2),
        .alertmanager(
            "unknown warning alert",
            ["alertname": "CertificateExpiresSoon", "instance": "web-1", "severity": "warning"],
            rule: "prometheus-other", .degradation, .p4),
        // Other sources.
        ShippedCase(
            name: "PagerDuty trigger",
            payload:
                #"{"routing_key":"k","event_action":"trigger","dedup_key":"disk-42","payload":{"summary":"Disk almost full","source":"db-1","severity":"critical"}}"#,
            rule: "pagerduty-event", kind: .degradation, priority: .p2),
        ShippedCase(
            name: "socket alert without alertname", payload: #"{"labels":{"app":"backup","severity":"error"}}"#,
            rule: "catch-all", kind: .degradation, priority: .p4),
    ]
}

@Suite struct ShippedRulesTests {
    @Test func shippedRulesCompileWithoutErrorsOrWarnings() throws {
        let result = try Repository.load()
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let ruleSet = try #require(result.ruleSet)
        #expect(result.files.count >= 6)
        #expect(result.files.allSatisfy { ($0 as NSString).lastPathComponent.first?.isNumber == true })
        // Every kind is used, and the set ends with an unconditional catch-all (SPEC §5).
        #expect(Set(ruleSet.rules.map(\.kind)) == Set(IncidentKind.allCases))
        let last = try #require(ruleSet.rules.last)
        #expect(last.matchers.isEmpty && last.extract.isEmpty && !last.continue && !last.drop)
    }

    @Test func policiesCoverEveryPriority() throws {
        let ruleSet = try Repository.ruleSet()
        #expect(ruleSet.policies["default"] != nil)
        #expect(Set(ruleSet.escalationByPriority.keys) == Set(Priority.allCases))
        #expect(ruleSet.escalationByPriority[.p1] == "page-now")
        #expect(ruleSet.escalationByPriority[.p4] == "ticket")
        #expect(ruleSet.escalationByPriority[.p5] == "ticket")
        for rule in ruleSet.rules where rule.kind == .security {
            #expect(rule.escalation == "security-team", "\(rule.name)")
        }
    }

    @Test(arguments: ShippedCases.all)
    func eventIsClassified(_ expected: ShippedCase) throws {
        let ruleSet = try Repository.ruleSet()
        let events = try PayloadDecoder().decode(
            Data(expected.payload.utf8), source: .socket, receivedAt: Timestamp(seconds: 1_763_800_000))
        try #require(events.count == 1)
        let c = try #require(ruleSet.classify(events[0]), "no rule matched")
        #expect(c.rule.name == expected.rule)
        if let kind = expected.kind {
            #expect(!c.rule.drop)
            #expect(c.kind == kind)
            #expect(c.priority == expected.priority)
        } else {
            #expect(c.rule.drop, "expected a dropping rule")
        }
        for (name, value) in expected.labels {
            #expect(c.labels[name] == value, "label \(name)")
        }
    }

    /// SPEC §6's example: five SSH failures sent over the socket with journal-style labels.
    /// SPEC §6's example, with the `uid` journald records for sshd (root): the shipped rules take sshd's word
    /// only from root, since any user can log as "sshd".
    @Test func specSSHExampleIsASecurityIncidentForTheSecurityTeam() throws {
        let ruleSet = try Repository.ruleSet()
        var event = Event(
            labels: ["source": "journal", "identifier": "sshd", "host": "web1"],
            annotations: ["message": "Failed password for root from 10.0.0.9 port 22 ssh2"], source: .socket,
            receivedAt: Timestamp(seconds: 1_763_800_000))
        #expect(ruleSet.classify(event)?.rule.name == "catch-all", "without uid it is anybody's line")
        event.annotations["uid"] = "1000"
        #expect(ruleSet.classify(event)?.rule.name == "catch-all", "an ordinary user's `logger -t sshd`")
        event.annotations["uid"] = "0"
        let c = try #require(ruleSet.classify(event))
        #expect(c.rule.name == "ssh-brute-force")
        #expect((c.kind, c.priority) == (.security, .p2))
        #expect(c.labels["src_ip"] == "10.0.0.9")
        #expect(c.groupKey == #"ssh-brute-force{host="web1",src_ip="10.0.0.9"}"#)
        #expect(c.title == "SSH brute force on web1 from 10.0.0.9")
        let threshold = try #require(c.rule.threshold)
        #expect(threshold.count == 5 && threshold.distinctLabel == nil && threshold.within == .seconds(120))
        #expect(ruleSet.policy(for: c.rule, priority: c.priority)?.name == "security-team")
    }

    /// The same alert on more instances raises impact, and with it priority and policy.
    @Test(arguments: [(1, Priority.p2, "default"), (2, .p2, "default"), (3, .p1, "page-now")])
    func hostDownOnMoreInstancesPagesHarder(instances: Int, priority: Priority, policy: String) throws {
        let ruleSet = try Repository.ruleSet()
        let event = Event(
            labels: ["alertname": "HostDown", "instance": "db-1:9100", "job": "node", "severity": "critical"],
            receivedAt: Timestamp(seconds: 1_763_800_000))
        let c = try #require(ruleSet.classify(event))
        let impact = c.rule.impact.impact(distinct: instances)
        let grown = ruleSet.priorityMatrix.priority(impact: impact, urgency: c.urgency)
        #expect(grown == priority)
        #expect(ruleSet.policy(for: c.rule, priority: grown)?.name == policy)
    }

    @Test func hostDownInhibitsTheSameInstancesNonCriticalAlerts() throws {
        let ruleSet = try Repository.ruleSet()
        let inhibit = try #require(ruleSet.inhibits.first { $0.name == "host-down-absorbs-its-alerts" })
        let at = Timestamp(seconds: 1_763_800_000)
        let down = Event(
            labels: ["alertname": "HostDown", "instance": "db-1:9100", "severity": "critical"], receivedAt: at)
        let cpu = Event(
            labels: ["alertname": "HighCPU", "instance": "db-1:9100", "severity": "warning"], receivedAt: at)
        let journal = Event(labels: ["source": "journal", "host": "db-1", "severity": "warning"], receivedAt: at)
        #expect(inhibit.sourceMatches(down))
        #expect(inhibit.targetMatches(cpu))
        #expect(inhibit.equal == ["instance"])
        // Without an instance the target does not match: a label missing on both sides must not count as equal.
        #expect(!inhibit.targetMatches(journal))
    }
}
