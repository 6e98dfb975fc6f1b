import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A one-rule set whose policy pages `hook` at 0 s and again at 2 s and 4 s, with a 3 s `ack_timeout`: real
/// times short enough for a test, long enough to act between steps.
let deliveryRules = """
    rules:
      - name: disk-full
        match: ['alertname="DiskFull"']
        kind: degradation
        impact: high
        urgency: high
        group_by: [host]
        title: 'Disk full on {{host}}'
        escalation: fast
    escalation_policies:
      - name: fast
        steps:
          - { after: 0s, notify: [hook] }
          - { after: 2s, notify: [hook] }
          - { after: 4s, notify: [hook] }
        ack_timeout: 3s
    """

/// Notification delivery end to end: the real daemon, a real HTTP receiver (`Tests/Support/http-receiver.py`),
/// real files and the incident timeline.
@Suite(.serialized) struct DeliveryTests {
    func fire(_ daemon: RunningDaemon, host: String = "db1") async throws {
        let sent = try await daemon.api(
            "/api/v2/alerts", method: "POST", body: #"[{"labels":{"alertname":"DiskFull","host":"\#(host)"}}]"#)
        #expect(sent.status == 200, "\(sent.body)")
    }

    func timeline(_ daemon: RunningDaemon, _ id: String = "INC-1") async throws -> [String] {
        let shown = await jsonObject(try daemon.ctl("show", id, "--json").stdout)
        return (shown["timeline"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""): \($0["detail"] ?? "")" }
    }

    /// Seconds since 1970 of an RFC 3339 time, as the receiver logs its arrivals.
    static func seconds(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    func lines(_ path: String) -> [[String: Any]] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map {
            jsonObject(String($0))
        }
    }

    @Test func stepsFireAtTheirTimesAcknowledgeHoldsTheNextAndAckTimeoutReleasesIt() async throws {
        let receiver = try await Receiver()
        let scripts = try CLI.temporaryDirectory()
        let pager = scripts.appendingPathComponent("pager.sh").path
        try """
        #!/bin/sh
        echo "$INCIDENT_IDEMPOTENCY_KEY $INCIDENT_PRIORITY $(head -c 20)" >> "\(scripts.path)/paged.txt"
        echo "paged $INCIDENT_ID"
        """.write(toFile: pager, atomically: true, encoding: .utf8)
        chmod(pager, 0o755)
        // Step 2 at 8 s and an ack_timeout of 8 s (not 4 s and 3 s): the ack must land between step 1 (2 s) and
        // step 2, and `incidentctl ack` under the full suite's load once took more than the 2 s the shared
        // policy leaves.
        let daemon = try await RunningDaemon(
            rules: deliveryRules.replacingOccurrences(
                of: "{ after: 0s, notify: [hook] }", with: "{ after: 0s, notify: [hook, pager] }"
            ).replacingOccurrences(of: "{ after: 4s, notify: [hook] }", with: "{ after: 8s, notify: [hook] }")
                .replacingOccurrences(of: "ack_timeout: 3s", with: "ack_timeout: 8s"),
            notifiers: """
                  - { name: hook, type: webhook, url: '\(receiver.url("/ok"))', timeout: 2s }
                  - { name: pager, type: exec, argv: ['\(pager)'], timeout: 5s }
                  - { name: archive, type: file, path: archive.jsonl, on: [open, ack] }
                """)
        try await fire(daemon)
        try await waitUntil("step 0") { receiver.requests().count >= 1 }
        try await waitUntil("step 1") { receiver.requests().count >= 2 }
        let first = receiver.requests()
        #expect(first.prefix(2).map(\.key) == ["INC-1/0/0", "INC-1/1/0"])
        // Each step against the incident's opening, on the daemon's and the receiver's clocks (one machine's), not
        // step 1 against step 0's arrival: under the full suite's load the first page of a fresh daemon once
        // arrived 0.6 s after the opening, and the gap to an on-time step 1 looked 1.4 s long.
        let opening = await jsonObject(try daemon.ctl("show", "INC-1", "--json").stdout)
        let opened = try #require((opening["opened_at"] as? String).flatMap(Self.seconds))
        #expect(first[0].t - opened < 1.5, "step 0 came \(first[0].t - opened)s after the opening, not at once")
        let step1 = first[1].t - opened
        #expect(step1 > 1.95 && step1 < 3.5, "step 1 came \(step1)s after the opening, not about 2 s")

        let ack = try await daemon.ctl("ack", "INC-1", "--by", "ann")
        #expect(ack.status == 0, "\(ack.stderr)")
        let shown = await jsonObject(try daemon.ctl("show", "INC-1", "--json").stdout)
        let acked = try #require((shown["acknowledged_at"] as? String).flatMap(Self.seconds))
        // Step 2 falls due at 8 s while acknowledged: held until the acknowledgement lapses 8 s after the ack.
        // Measured on the receiver's and the daemon's clocks, so a busy test process cannot skew it.
        try await waitUntil("the held step after ack_timeout", timeout: .seconds(60)) { receiver.requests().count >= 3 }
        let released = receiver.requests()[2].t - acked
        #expect(acked < opened + 8, "the ack came \(acked - opened)s after the opening, after step 2 was due")
        #expect(acked + 8 > opened + 8, "step 2 fell due while acknowledged")
        #expect(released > 7.8 && released < 9.5, "the held step went out \(released)s after the ack, not about 8 s")
        #expect(receiver.requests().last?.key == "INC-1/2/0")

        try await waitUntil("the delivery record") {
            try await timeline(daemon).contains { $0.hasPrefix("notified: hook INC-1/2/0") }
        }
        let lines = try await timeline(daemon)
        #expect(lines.contains { $0.hasPrefix("escalation: step 2 round 0 held: acknowledged by ann") })
        #expect(lines.contains { $0.hasPrefix("ack_timeout:") })
        #expect(lines.contains("notified: hook INC-1/0/0 attempt 1: HTTP 200: accepted"))
        try await waitUntil("the on: [open, ack] archive") {
            self.lines(daemon.directory.path + "/archive.jsonl").count == 2
        }
        let triggers = self.lines(daemon.directory.path + "/archive.jsonl").map {
            ($0["notification"] as? [String: Any])?["trigger"] as? String
        }
        #expect(triggers == ["open", "ack"])
        #expect(lines.contains("notified: pager INC-1/0/0 attempt 1: \(pager) exited 0; output: paged INC-1"))
        let paged = try String(contentsOfFile: scripts.path + "/paged.txt", encoding: .utf8)
        #expect(paged.hasPrefix("INC-1/0/0 P1 {\"event\":{"), "the script got its key, priority and JSON: \(paged)")
        #expect(paged.split(separator: "\n").count == 1)
        #expect(receiver.requests().allSatisfy { !$0.duplicate })
    }

    @Test func killNineBetweenSendAndRecordResendsTheKeyAndTheReceiverDropsIt() async throws {
        let receiver = try await Receiver()
        let daemon = try await RunningDaemon(
            rules: deliveryRules,
            notifiers: """
                  - { name: hook, type: webhook, url: '\(receiver.url("/hold/3"))', timeout: 10s }
                """)
        try await fire(daemon)
        // The receiver has accepted INC-1/0/0 and holds its answer: the daemon has sent but not recorded.
        try await waitUntil("the first send") { receiver.requests().count >= 1 }
        await daemon.signal(SIGKILL)
        try await daemon.start()
        try await waitUntil("the resend after restart") { receiver.requests().contains { $0.duplicate } }
        try await waitUntil("the delivery record") {
            try await timeline(daemon).contains {
                $0.hasPrefix("notified: hook INC-1/0/0 attempt 1: HTTP 200: duplicate")
            }
        }
        let firstStep = receiver.requests().filter { $0.key == "INC-1/0/0" }
        #expect(firstStep.count == 2)
        #expect(firstStep.filter { !$0.duplicate }.count == 1, "the receiver acted on INC-1/0/0 more than once")

        // Once recorded, a key is never sent again: not after a second kill -9 either.
        await daemon.signal(SIGKILL)
        try await daemon.start()
        // A sentinel instead of a pause: INC-2's first page is queued after the restart, so the pass that hands
        // it out (or an earlier one) is the one that would have resent INC-1/0/0, whose row is due earlier. Both
        // would be held 3 s by the receiver, which logs on arrival: by the time INC-2/0/0 is recorded as
        // delivered, a resend of INC-1/0/0 would have been logged.
        try await fire(daemon, host: "db2")
        try await waitUntil("INC-2/0/0 is delivered after the second restart") {
            try await timeline(daemon, "INC-2").contains { $0.hasPrefix("notified: hook INC-2/0/0 attempt 1") }
        }
        #expect(receiver.requests().contains { $0.key == "INC-2/0/0" })
        #expect(receiver.requests().filter { $0.key == "INC-1/0/0" }.count == 2)
    }

    @Test func aDeadReceiverLeadsToTheFallbackAndSecretsStayOut() async throws {
        let receiver = try await Receiver()
        let dir = try CLI.temporaryDirectory()
        let urlSecret = "PathTokenZq81xW"
        let headerSecret = "HeaderTokenPv37kD"
        let urlFile = dir.appendingPathComponent("hook.url").path
        let headerFile = dir.appendingPathComponent("auth").path
        try "\(receiver.url("/fail/\(urlSecret)"))\n".write(toFile: urlFile, atomically: true, encoding: .utf8)
        try "Bearer \(headerSecret)\n".write(toFile: headerFile, atomically: true, encoding: .utf8)
        // A receiver that died before the first page: its port refuses connections.
        let dead = try await Receiver()
        let deadURLFile = dir.appendingPathComponent("dead.url").path
        try "\(dead.url("/ok/\(urlSecret)"))".write(toFile: deadURLFile, atomically: true, encoding: .utf8)
        dead.kill()
        let retry = "retry: { attempts: 3, initial: 200ms, max: 1s }"
        let daemon = try await RunningDaemon(
            rules: deliveryRules.replacingOccurrences(of: "notify: [hook] }\n", with: "notify: [hook, dead] }\n"),
            notifiers: """
                  - { name: hook, type: webhook, url_file: '\(urlFile)', header_files: { Authorization: '\(headerFile)' }, \(retry), fallback: archive }
                  - { name: dead, type: webhook, url_file: '\(deadURLFile)', timeout: 1s, \(retry), fallback: archive }
                  - { name: archive, type: file, path: archive.jsonl }
                """)
        try await fire(daemon)
        let archive = daemon.directory.path + "/archive.jsonl"
        try await waitUntil("both notifiers giving up step 0") {
            try await timeline(daemon).filter { $0.hasPrefix("notify_failed:") && $0.contains("INC-1/0/0 attempt 3") }
                .count
                == 2
        }
        try await waitUntil("the fallback") { !self.lines(archive).isEmpty }
        // Both fall back to archive under the same key: archive gets step 0 once.
        let keys = self.lines(archive).map { ($0["notification"] as? [String: Any])?["idempotency_key"] as? String }
        #expect(keys.filter { $0 == "INC-1/0/0" }.count == 1)
        // The secrets were used ...
        #expect(receiver.requests().first?.headers["authorization"] == "Bearer \(headerSecret)")
        #expect(receiver.requests().first?.path.contains(urlSecret) == true)

        let lines = try await timeline(daemon)
        for name in ["hook", "dead"] {
            #expect(lines.filter { $0.hasPrefix("notify_retry: \(name) INC-1/0/0") }.count == 2)
            #expect(
                lines.contains {
                    $0.hasPrefix("notify_failed: \(name) INC-1/0/0 attempt 3")
                        && $0.hasSuffix("given up after 3 attempts; fallback archive queued")
                })
        }
        let metrics = try await daemon.api("/metrics").body
        let hookFailures = metrics.split(separator: "\n").first {
            $0.hasPrefix(#"incidentd_notification_failures_total{notifier="hook",reason="http_5xx"} "#)
        }
        #expect((hookFailures?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 3)
        #expect(metrics.contains(#"incidentd_notification_failures_total{notifier="dead",reason="connect"}"#))
        // ... and are nowhere in the timeline, the log, the metrics or the archive.
        let show = try await daemon.ctl("show", "INC-1", "--json").stdout
        await daemon.signal(SIGTERM)
        for (what, text) in [
            ("timeline", show), ("log", daemon.log()), ("metrics", metrics),
            ("archive", (try? String(contentsOfFile: archive, encoding: .utf8)) ?? ""),
        ] {
            #expect(!text.contains(urlSecret), "the URL secret is in the \(what)")
            #expect(!text.contains(headerSecret), "the header secret is in the \(what)")
        }
    }

    @Test func aPagerDutyAcknowledgeForTheIncidentIdAcknowledgesIt() async throws {
        let receiver = try await Receiver()
        let dir = try CLI.temporaryDirectory()
        let keyFile = dir.appendingPathComponent("pd.key").path
        try "R0UTINGKEY123456".write(toFile: keyFile, atomically: true, encoding: .utf8)
        let daemon = try await RunningDaemon(
            rules: deliveryRules,
            notifiers: """
                  - { name: hook, type: webhook, format: pagerduty, url: '\(receiver.url("/ok"))', routing_key_file: '\(keyFile)', on: [ack] }
                """)
        try await fire(daemon)
        try await waitUntil("the trigger") { receiver.requests().count >= 1 }
        let ack = try await daemon.api(
            "/api/v1/webhook/pagerduty", method: "POST",
            body: #"{"event_action":"acknowledge","dedup_key":"INC-1","routing_key":"x"}"#)
        #expect((200..<300).contains(ack.status), "\(ack.body)")
        let shown = await jsonObject(try daemon.ctl("show", "INC-1", "--json").stdout)
        #expect(shown["state"] as? String == "acknowledged")
        #expect(shown["acknowledged_by"] as? String == "pagerduty")
        // Our own acknowledge goes back out to PagerDuty under the same dedup_key.
        try await waitUntil("the acknowledge message") { receiver.requests().count >= 2 }
        #expect(receiver.rawLog().contains(#""event_action": "acknowledge""#))
        #expect(!daemon.log().contains("R0UTINGKEY123456"))
    }

    @Test func aReloadBringsInTheNotifiersTheNewRulesName() async throws {
        let receiver = try await Receiver()
        let daemon = try await RunningDaemon(
            rules: deliveryRules,
            notifiers: """
                  - { name: hook, type: webhook, url: '\(receiver.url("/ok"))' }
                """)
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try config.replacingOccurrences(
            of: "  - { name: hook,", with: "  - { name: late, type: file, path: late.jsonl }\n  - { name: hook,"
        ).write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try deliveryRules.replacingOccurrences(
            of: "{ after: 0s, notify: [hook] }", with: "{ after: 0s, notify: [late] }"
        )
        .write(toFile: daemon.directory.path + "/rules/10-test.yaml", atomically: true, encoding: .utf8)
        await daemon.signal(SIGHUP, wait: false)
        try await waitUntil("the reload") { daemon.log().contains("rules reloaded") }
        try await fire(daemon)
        try await waitUntil("the new notifier's page") { !self.lines(daemon.directory.path + "/late.jsonl").isEmpty }
        // The page is in the file before its settlement (and its timeline line) is committed: wait for that too.
        try await waitUntil("the page's timeline line") {
            try await timeline(daemon).contains { $0.hasPrefix("notified: late INC-1/0/0 attempt 1") }
        }
        // Step 0 went to the new notifier only. (Later steps of the policy still page `hook` when they fall due,
        // which on a slow machine can be before this line: they are not what the reload changed.)
        #expect(!receiver.requests().contains { $0.key == "INC-1/0/0" })
    }
}
