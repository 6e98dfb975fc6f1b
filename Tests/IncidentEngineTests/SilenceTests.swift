import Foundation
import IncidentCore
import IncidentRules
import Testing

@testable import IncidentEngine

/// Silences in the engine (SPEC §11): muted alerts are recorded and correlated, their incident is silenced and its
/// escalation waits; when the silence ends with an alert still firing, the policy starts then.
@Suite struct SilenceTests {
    static let rules = """
        rules:
          - name: disk
            match: ['alertname="DiskFull"']
            group_by: [host]
            urgency: high
            impact: medium
        escalation_policies:
          - name: default
            steps:
              - { after: 0s, notify: [oncall] }
              - { after: 15m, notify: [lead] }
        """

    static func silence(
        _ matchers: [SilenceMatcher] = [SilenceMatcher(name: "host", value: "db1")], id: String = "s1",
        from: Double, to: Double, comment: String = "patching"
    ) -> Silence {
        Silence(
            id: id, matchers: matchers, startsAt: at(from), endsAt: at(to), createdBy: "alice", comment: comment,
            updatedAt: at(from))
    }

    mutating func add(_ h: inout Harness, _ s: Silence, at seconds: Double) throws {
        h.collect(h.engine.advance(to: at(seconds)))
        h.collect(try h.engine.upsertSilence(s, at: at(seconds)))
    }

    @Test mutating func aSilencedAlertOpensASilencedIncidentAndPagesWhenTheSilenceEnds() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 60)
        h.advance(3599)
        #expect(h.list.count == 1)
        #expect(h.list[0].silenced)
        #expect(h.notifications.isEmpty)
        #expect(h.timeline(of: 1, type: "silenced").count == 1)
        #expect(h.timeline(of: 1, type: "silenced")[0].contains("silence s1 (alice: patching)"))
        h.advance(3600)
        #expect(h.list[0].silenced == false)
        #expect(h.keys() == ["oncall@INC-1/0/0"])
        #expect(h.timeline(of: 1, type: "unsilenced") == ["no longer silenced (silence s1 ended): escalation starts"])
        h.advance(3600 + 900)
        #expect(h.keys() == ["oncall@INC-1/0/0", "lead@INC-1/1/0"])
    }

    @Test mutating func anUnmatchedHostStillPages() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "web1"], at: 60)
        #expect(h.list[0].silenced == false)
        #expect(h.keys() == ["oncall@INC-1/0/0"])
    }

    @Test mutating func aSilenceAddedLaterStopsTheRunningPolicyAndCancelsItsPages() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        #expect(h.keys() == ["oncall@INC-1/0/0"])
        try add(&h, Self.silence(from: 300, to: 1800), at: 300)
        #expect(h.list[0].silenced)
        #expect(h.effects.contains { if case .cancel(let c) = $0 { c.incident == 1 } else { false } })
        h.advance(1799)
        #expect(h.keys() == ["oncall@INC-1/0/0"], "step 1 at 15m must wait")
        // Expired early by hand: the policy starts again as a new run (new round, new idempotency keys).
        h.collect(try h.engine.expireSilence(id: "s1", by: "bob", at: at(1000)))
        #expect(h.list[0].silenced == false)
        #expect(h.keys() == ["oncall@INC-1/0/0", "oncall@INC-1/0/1"])
        #expect(h.timeline(of: 1, type: "unsilenced")[0].contains("silence s1 expired by bob"))
        #expect(h.engine.silences[0].state(at: at(1000)) == .expired)
    }

    @Test mutating func oneUnmutedAlertKeepsTheIncidentUnsilenced() throws {
        var h = Harness(Self.rules)
        let byName = [SilenceMatcher(name: "disk", value: "sda")]
        try add(&h, Self.silence(byName, from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "db1", "disk": "sda"], at: 10)
        #expect(h.list[0].silenced)
        h.send(["alertname": "DiskFull", "host": "db1", "disk": "sdb"], at: 20)
        #expect(h.list[0].silenced == false, "sdb is not muted")
        #expect(h.keys() == ["oncall@INC-1/0/0"])
        // sdb resolves: only muted alerts fire again, so the incident is silenced once more.
        h.send(["alertname": "DiskFull", "host": "db1", "disk": "sdb"], at: 30, status: .resolved)
        #expect(h.list[0].silenced)
        let active = h.engine.activeAlerts()
        #expect(active.count == 1)
        #expect(active[0].silencedBy == ["s1"])
    }

    @Test mutating func aPendingSilenceStartsLaterAndAppliesToAlertsAlreadyHeld() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        try add(&h, Self.silence(from: 600, to: 1200), at: 60)
        #expect(h.engine.silences[0].state(at: at(60)) == .pending)
        #expect(h.list[0].silenced == false)
        h.advance(600)
        #expect(h.list[0].silenced)
        h.advance(1199)
        #expect(h.keys() == ["oncall@INC-1/0/0"], "step 1 (15m) fell inside the silence")
        h.advance(1200)
        #expect(h.keys() == ["oncall@INC-1/0/0", "oncall@INC-1/0/1"])
    }

    @Test mutating func silencesSurviveARestoreFromTheCheckpoint() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 60)
        let data = try h.engine.exportState().encoded()
        var restored = Harness(Self.rules)
        restored.engine = CorrelationEngine(restoring: try EngineState.decode(data), ruleSet: compile(Self.rules))
        #expect(restored.engine.silences == h.engine.silences)
        restored.advance(3599)
        #expect(restored.notifications.isEmpty)
        restored.advance(3600)
        #expect(restored.keys() == ["oncall@INC-1/0/0"])
        #expect(restored.list[0].silenced == false)
    }

    @Test mutating func aResolvedSilencedIncidentDoesNotPageWhenTheSilenceEnds() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 60)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 120, status: .resolved)
        #expect(h.list[0].state == .resolved)
        #expect(h.list[0].silenced == false)
        h.advance(7200)
        #expect(h.notifications.isEmpty)
    }

    @Test func badSilencesAreRefusedWithAReason() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        func refusal(_ s: Silence) -> String? {
            do {
                _ = try engine.upsertSilence(s, at: at(0))
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal(Self.silence([], from: 0, to: 60))?.contains("at least one matcher") == true)
        #expect(
            refusal(Self.silence([SilenceMatcher(name: "host", value: ".*", isRegex: true)], from: 0, to: 60))?
                .contains("empty") == true)
        #expect(refusal(Self.silence([SilenceMatcher(name: "host", value: "", isEqual: true)], from: 0, to: 60)) != nil)
        #expect(
            refusal(Self.silence([SilenceMatcher(name: "host", value: "(", isRegex: true)], from: 0, to: 60))?
                .contains("host") == true)
        #expect(refusal(Self.silence(from: 60, to: 30))?.contains("must be after") == true)
        #expect(refusal(Self.silence([SilenceMatcher(name: "bad name", value: "x")], from: 0, to: 60)) != nil)
        #expect(refusal(Self.silence(from: 0, to: 60, comment: "  ")) != nil)
        #expect(engine.silences.isEmpty)
        #expect(throws: EngineError.self) { _ = try engine.expireSilence(id: "nope", by: "bob", at: at(0)) }
    }

    @Test mutating func expiredSilencesAreForgottenAfterTheirRetention() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 60), at: 0)
        h.advance(60 + 120 * 3600 - 1)
        #expect(h.engine.silences.count == 1)
        h.advance(60 + 120 * 3600)
        #expect(h.engine.silences.isEmpty)
    }

    @Test mutating func silencesSurviveAReloadAndAWindowAddedByTheReloadAppliesAtOnce() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        h.send(["alertname": "DiskFull", "host": "db1"], at: 10)
        h.send(["alertname": "DiskFull", "host": "web1"], at: 20)
        #expect(h.list.map(\.silenced) == [true, false])
        // New rules: the same rule, plus a window over web1 that is always open (two halves of the day).
        h.engine.reload(
            compile(
                Self.rules + """

                    maintenance:
                      - { name: web1-day, match: ['host="web1"'], every: "day 00:00-12:00", timezone: UTC }
                      - { name: web1-night, match: ['host="web1"'], every: "day 12:00-00:00", timezone: UTC }
                    """))
        #expect(h.engine.silences.count == 1)
        h.advance(30)
        #expect(h.list.map(\.silenced) == [true, true])
        #expect(h.timeline(of: 2, type: "silenced")[0].contains("maintenance window web1-"))
        // The silence ends; the windows go on.
        h.advance(3600)
        #expect(h.list.map(\.silenced) == [false, true])
        // 01:00 UTC is in the day half.
        #expect(h.engine.activeAlerts().map(\.silencedBy) == [[], ["maintenance:web1-day"]])
    }

    @Test mutating func anUpdateKeepsAnActiveSilencesStartAndAnExpiredOneCannotChange() throws {
        var h = Harness(Self.rules)
        try add(&h, Self.silence(from: 0, to: 3600), at: 0)
        try add(&h, Self.silence(from: 0, to: 7200, comment: "longer"), at: 600)
        #expect(h.engine.silences.map(\.startsAt) == [at(0)])
        #expect(h.engine.silences.map(\.endsAt) == [at(7200)])
        #expect(h.engine.silences.map(\.updatedAt) == [at(600)])
        h.collect(try h.engine.expireSilence(id: "s1", by: "bob", at: at(700)))
        #expect(throws: EngineError.self) { try h.engine.upsertSilence(Self.silence(from: 800, to: 9000), at: at(800)) }
        #expect(throws: EngineError.self) { try h.engine.expireSilence(id: "s1", by: "bob", at: at(800)) }
    }

    /// A held event of an alert that an inhibit took into another incident while it was held counts there when the
    /// threshold is reached, instead of listing the alert in two incidents; so the first incident's silenced flag
    /// keeps following its alerts.
    @Test mutating func aHeldEventOfAnAlertPlacedMeanwhileCountsWhereTheAlertIs() throws {
        var h = Harness(
            """
            rules:
              - name: thr
                match: ['alertname="Login"']
                group_by: [alertname]
                threshold: { count: 3, within: 10m }
              - name: all
                match: ['alertname=~".+"']
                group_by: [alertname, service]
                group_window: 20m
            inhibit:
              - name: crit-warn
                source: ['severity="critical"']
                target: ['severity="warning"']
                equal: [service]
            escalation_policies:
              - name: default
                steps: [{ after: 0s, notify: [a] }, { after: 5m, notify: [b] }]
            """)
        try add(&h, Self.silence([SilenceMatcher(name: "severity", value: "critical")], from: 0, to: 86_400), at: 0)
        let k: Labels = ["alertname": "Login", "severity": "warning", "service": "a"]
        let l: Labels = ["alertname": "Login", "severity": "warning", "service": "b"]
        h.send(k, at: 10)  // held by the threshold
        h.send(["alertname": "Disk", "severity": "critical", "service": "a"], at: 20)  // INC-1, silenced
        h.send(k, at: 30)  // inhibited into INC-1, not muted: INC-1 is no longer silenced
        #expect(h.list.count == 1 && !h.list[0].silenced)
        h.send(l, at: 40)
        h.send(l, at: 50)  // the threshold is reached: INC-2 with l; k's held event counts in INC-1
        #expect(h.list.count == 2)
        #expect(
            h.engine.alerts(of: 1).map(\.labels) == [["alertname": "Disk", "severity": "critical", "service": "a"], k])
        #expect(h.engine.alerts(of: 2).map(\.labels) == [l])
        #expect(h.engine.alerts(of: 1).first { $0.labels == k }?.events == 2)
        h.send(k, at: 60, status: .resolved)
        #expect(h.list[0].silenced, "only the muted Disk alert fires in INC-1 again")
        h.send(["alertname": "Disk", "severity": "critical", "service": "a", "dev": "2"], at: 70)
        h.advance(1000)
        #expect(h.list[0].silenced)
        #expect(!h.keys(1).contains { $0.hasPrefix("b@") }, "no page of step 1 while silenced")
    }
}
