import Foundation
import Testing

@Suite("incidentctl rules and incidentd validate")
struct RulesCommandTests {
    @Test func theShippedRulesCheckClean() async throws {
        let out = try await CLI.incidentctl("rules", "check", "--config", "dev/incidentd.yaml", "rules/")
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("OK:"))
        #expect(out.stdout.contains("0 errors, 0 warnings"))
    }

    @Test func eachBrokenFixtureGetsItsOwnDiagnosticAndExitOne() async throws {
        let dir = CLI.repositoryRoot.appendingPathComponent("Tests/IncidentRulesTests/Fixtures/broken")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
            .sorted()
        #expect(files.count >= 15)
        for file in files {
            let out = try await CLI.incidentctl(
                "rules", "check", "--config", "Tests/IncidentRulesTests/Fixtures/broken-config/incidentd.yaml",
                "Tests/IncidentRulesTests/Fixtures/broken/\(file)")
            let diagnostics = out.stdout.split(separator: "\n").filter {
                $0.contains(": error: ") || $0.contains(": warning: ")
            }
            #expect(diagnostics.count == 1, "\(file): \(out.stdout)")
            // FILE:LINE:COL: severity: message [code]
            #expect(diagnostics.first?.contains("broken/\(file):") == true, "\(file)")
            let isWarning = diagnostics.first?.contains(": warning: ") == true
            #expect(out.status == (isWarning ? 0 : 1), "\(file): exit \(out.status)")
        }
    }

    @Test func validateAcceptsTheDevConfigAndRejectsABrokenOne() async throws {
        let ok = try await CLI.run("incidentd", ["validate", "--config", "dev/incidentd.yaml"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("OK"))
        let dir = try CLI.temporaryDirectory()
        let config = dir.appendingPathComponent("incidentd.yaml")
        try "state_dir: .\nrulez: [rules]\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try await CLI.run("incidentd", ["validate", "--config", config.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("incidentd.yaml:2:1: error: unknown key 'rulez'"), "\(bad.stderr)")
        #expect(bad.stderr.contains("Did you mean 'rules'?"))
    }

    @Test func usageErrorsExitTwo() async throws {
        #expect(try await CLI.incidentctl("rules", "explain").status == 2)
        #expect(try await CLI.incidentctl("rules", "frobnicate").status == 2)
        #expect(try await CLI.run("incidentd", ["validate", "--no-such-flag"]).status == 2)
    }

    static let forms: [(String, String, String)] = [
        (
            "socket line", #"{"labels":{"alertname":"HostDown","instance":"db1:9100","severity":"critical"}}"#,
            "host-down"
        ),
        (
            "generic array",
            #"[{"labels":{"alertname":"DiskFull","instance":"a","severity":"warning"}},{"labels":{"alertname":"DiskFull","instance":"b","severity":"warning"}}]"#,
            "disk-space"
        ),
        ("alertmanager webhook", "@/SAMPLES/002-manual-firing-single-HighLatency-web.json", "service-latency-errors"),
        (
            "pagerduty",
            #"{"routing_key":"x","event_action":"trigger","dedup_key":"db-1","payload":{"summary":"DB down","source":"db1","severity":"critical"}}"#,
            ""
        ),
        (
            "grafana",
            #"{"receiver":"x","status":"firing","orgId":1,"state":"alerting","title":"t","alerts":[{"status":"firing","labels":{"alertname":"HighCPU","instance":"n1","severity":"warning"},"annotations":{},"startsAt":"2026-11-22T06:18:48Z"}]}"#,
            "resource-saturation"
        ),
        (
            "journal entry",
            #"{"MESSAGE":"Failed password for invalid user admin from 10.0.0.9 port 22 ssh2","SYSLOG_IDENTIFIER":"sshd","_UID":"0","_HOSTNAME":"web1","PRIORITY":"5","__REALTIME_TIMESTAMP":"1763800000000000"}"#,
            "ssh-brute-force"
        ),
    ]

    @Test(arguments: forms)
    func explainShowsRuleLabelsKindPriorityAndGroupKey(_ form: String, _ payload: String, _ rule: String) async throws {
        let samples = CLI.repositoryRoot.appendingPathComponent("Tests/IncidentCoreTests/Fixtures/alertmanager").path
        let event = payload.replacingOccurrences(of: "/SAMPLES", with: samples)
        let out = try await CLI.incidentctl("rules", "explain", "--rules", "rules/", "--event", event, "--json")
        #expect(out.status == 0, "\(form): \(out.stderr)")
        let items = try #require(try CLI.json(out.stdout) as? [[String: Any]], "\(form)")
        #expect(!items.isEmpty)
        for item in items {
            #expect(item["rule"] is String, "\(form): \(item)")
            if !rule.isEmpty { #expect(item["rule"] as? String == rule, "\(form)") }
            #expect(
                (item["kind"] as? String).map { ["outage", "degradation", "security", "user_issue"].contains($0) }
                    == true)
            #expect((item["priority"] as? String)?.hasPrefix("P") == true)
            #expect((item["group_key"] as? String)?.isEmpty == false)
            #expect(item["labels"] is [String: String])
        }
        let text = try await CLI.incidentctl("rules", "explain", "--rules", "rules/", "--event", event)
        #expect(text.stdout.contains("group key:"))
        #expect(text.stdout.contains("priority:"))
    }

    @Test func explainSaysWhenNothingMatchesAndReadsStdin() async throws {
        let dir = try CLI.temporaryDirectory()
        let rules = dir.appendingPathComponent("r.yaml")
        try "rules:\n  - { name: only, match: ['alertname=\"X\"'] }\n".write(
            to: rules, atomically: true, encoding: .utf8)
        let out = try await CLI.incidentctl(
            "rules", "explain", "--rules", rules.path, "--event", "-",
            stdin: Data(#"{"labels":{"alertname":"Y"}}"#.utf8))
        #expect(out.status == 0)
        #expect(out.stdout.contains("none matches"))
        let bad = try await CLI.incidentctl("rules", "explain", "--rules", rules.path, "--event", "{not json")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("not valid JSON"))
    }

    /// SPEC §13: explain names the correlation group an event's alert would join, on which labels, and says so
    /// when the event lacks one.
    @Test func explainShowsTheCorrelationGroup() async throws {
        let kernel = #"{"source":"journal","host":"db1","identifier":"kernel","priority":"3","severity":"error"}"#
        let io =
            #"{"labels":\#(kernel),"annotations":{"transport":"kernel","message":"I/O error, dev sdb1, sector 8"}}"#
        let out = try await CLI.incidentctl("rules", "explain", "--rules", "rules/", "--event", io, "--json")
        #expect(out.status == 0, "\(out.stderr)")
        let first = try #require((try CLI.json(out.stdout) as? [[String: Any]])?.first)
        let correlation = try #require((first["correlations"] as? [[String: Any]])?.first)
        #expect(correlation["group"] as? String == "disk-trouble")
        #expect(correlation["on"] as? [String] == ["host", "disk"])
        #expect(correlation["joins"] as? Bool == true)
        let text = try await CLI.incidentctl("rules", "explain", "--rules", "rules/", "--event", io)
        #expect(text.stdout.contains("group 'disk-trouble'"))
        #expect(text.stdout.contains("host=db1, disk=sdb "), "the partition's disk: \(text.stdout)")
        // A unit failure without a unit label names what it lacks.
        let failed =
            #"{"labels":{"source":"journal","host":"web1","identifier":"systemd","message_id":"d9b373ed55a64feb8242e02dbe79a49c"},"annotations":{"uid":"0","message":"x"}}"#
        let lacking = try await CLI.incidentctl("rules", "explain", "--rules", "rules/", "--event", failed)
        #expect(lacking.stdout.contains("group 'unit-trouble' needs unit"), "\(lacking.stdout)")
    }
}
