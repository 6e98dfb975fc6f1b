import IncidentCore
import IncidentRules
import Testing

@testable import IncidentEngine

/// Escalation steps that name people (SPEC §12): `user:NAME` pages that person's notifiers, recorded on the
/// notification and in the timeline; a notifier reached twice in one step is paged once.
@Suite struct PeopleEscalationTests {
    static func ruleSet(_ steps: String) -> RuleSet {
        let base = compile(
            """
            rules:
              - name: disk
                match: ['alertname="DiskFull"']
            escalation_policies:
              - name: default
                steps:
            \(steps)
            """)
        let here = IncidentRules.SourceLocation(file: "test.yaml", line: 1, column: 1)
        return RuleSet(
            rules: base.rules, inhibits: base.inhibits, policies: base.policies,
            escalationByPriority: base.escalationByPriority, priorityMatrix: base.priorityMatrix,
            users: [
                "bob": Person(name: "bob", notify: ["bob-phone", "oncall"], location: here),
                "carol": Person(name: "carol", notify: ["carol-phone"], location: here),
            ])
    }

    @Test func aUserTargetPagesThatPersonsNotifiersOnceEach() {
        var h = Harness(ruleSet: Self.ruleSet("          - { after: 0s, notify: [user:bob, oncall, user:carol] }"))
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        let sent = h.notifications.map { "\($0.notifier)/\($0.user ?? "-")" }
        #expect(sent == ["bob-phone/bob", "oncall/bob", "carol-phone/carol"])
        #expect(
            h.timeline(of: 1, type: "escalated") == [
                "policy 'default' step 0 round 0: notify bob (bob-phone, oncall), oncall, carol (carol-phone)"
            ])
    }

    @Test func anUnknownPersonOrAnEmptyScheduleIsSaidInTheTimeline() {
        var h = Harness(ruleSet: Self.ruleSet("          - { after: 0s, notify: [schedule:nobody, oncall] }"))
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        #expect(h.notifications.map(\.notifier) == ["oncall"])
        #expect(h.timeline(of: 1, type: "escalated")[0].contains("schedule:nobody (nobody: no one is on call)"))
    }
}
