import IncidentCore
import IncidentRules
import Testing

@testable import IncidentEngine

/// Escalation steps that name people (SPEC §12): `user:NAME` pages that person's notifiers, `schedule:NAME`
/// whoever is on call when the step fires; the person is recorded on the notification and in the timeline, and
/// a notifier reached twice in one step is paged once.
@Suite struct PeopleEscalationTests {
    static func rules(_ steps: String) -> String {
        """
        users:
          - { name: bob, notify: [bob-phone, oncall] }
          - { name: carol, notify: [carol-phone] }
        schedules:
          - name: daily
            timezone: America/New_York
            rotation: { users: [bob, carol], shift: 1d, handoff: "09:00", start: 2025-12-31 }
          - name: later
            timezone: UTC
            rotation: { users: [carol], shift: 1w, handoff: "Mon 09:00", start: 2027-01-04 }
        rules:
          - name: disk
            match: ['alertname="DiskFull"']
        escalation_policies:
          - name: default
            steps:
        \(steps)
        """
    }

    @Test func aUserTargetPagesThatPersonsNotifiersOnceEach() {
        var h = Harness(Self.rules("      - { after: 0s, notify: [user:bob, oncall, user:carol] }"))
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        let sent = h.notifications.map { "\($0.notifier)/\($0.user ?? "-")" }
        #expect(sent == ["bob-phone/bob", "oncall/bob", "carol-phone/carol"])
        #expect(
            h.timeline(of: 1, type: "escalated") == [
                "policy 'default' step 0 round 0: notify bob (bob-phone, oncall), oncall, carol (carol-phone)"
            ])
    }

    /// The daily New York rotation hands over at 09:00 local (14:00 UTC in winter): 2026-01-01 00:00 UTC is
    /// still 2025-12-31 in New York, bob's first day; carol takes over at 2026-01-01 14:00 UTC.
    @Test func aScheduleTargetPagesWhoeverIsOnCallWhenTheStepFires() {
        var h = Harness(
            Self.rules(
                """
                      - { after: 0s, notify: [schedule:daily] }
                      - { after: 14h, notify: [schedule:daily] }
                """))
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        h.advance(14 * 3600)
        #expect(
            h.notifications.map { "\($0.step) \($0.user ?? "-") \($0.notifier)" } == [
                "0 bob bob-phone", "0 bob oncall", "1 carol carol-phone",
            ])
        #expect(h.timeline(of: 1, type: "escalated")[1].contains("schedule:daily → carol (carol-phone)"))
    }

    @Test func nobodyOnCallIsSaidInTheTimeline() {
        var h = Harness(Self.rules("      - { after: 0s, notify: [schedule:later, oncall] }"))
        h.send(["alertname": "DiskFull", "host": "db1"], at: 0)
        #expect(h.notifications.map(\.notifier) == ["oncall"])
        #expect(h.timeline(of: 1, type: "escalated")[0].contains("schedule:later (nobody: no one is on call)"))
    }
}
