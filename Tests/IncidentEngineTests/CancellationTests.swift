import IncidentCore
import IncidentEngine
import Testing

/// Acknowledging, resolving or closing an incident stops the pages of steps whose `while:` no longer holds:
/// the engine says which (policy, step) pairs, and the store cancels their pending rows.
@Suite("cancellation")
struct CancellationTests {
    static let rules = """
        rules:
          - { name: r, match: [], kind: outage, impact: high, urgency: high, escalation: default }
        escalation_policies:
          - name: default
            steps:
              - { after: 0s,  notify: [oncall] }
              - { after: 15m, notify: [team-lead], while: unacknowledged }
              - { after: 1h,  notify: [manager], while: unresolved }
              - { after: 2h,  notify: [fyi], while: always }
            ack_timeout: 30m
          - name: ticket
            steps: [{ after: 0s, notify: [tickets] }, { after: 1m, notify: [desk], while: unresolved }]
        """

    func cancellations(_ effects: [Effect]) -> [NotificationCancellation] {
        effects.compactMap { if case .cancel(let c) = $0 { c } else { nil } }
    }

    func steps(_ pairs: [(String, Int)]) -> [NotificationCancellation.Step] {
        pairs.map { NotificationCancellation.Step(policy: $0.0, step: $0.1) }
    }

    @Test func anAcknowledgementCancelsTheStepsThatStopOnIt() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        #expect(cancellations(h.effects).isEmpty, "opening cancels nothing")
        try h.perform(.acknowledge, 1, at: 300, by: "ann")
        let found = cancellations(h.effects)
        // Every policy's such steps, in a fixed order: a priority change may have left rows of another policy.
        #expect(
            found == [
                NotificationCancellation(
                    incident: 1, steps: steps([("default", 0), ("default", 1), ("ticket", 0)]), at: at(300),
                    reason: "acknowledged by ann")
            ])
    }

    @Test func aResolveCancelsWhatStopsOnResolveAndACloseTheRest() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.resolve, 1, at: 300, by: "bob")
        #expect(
            cancellations(h.effects) == [
                NotificationCancellation(
                    incident: 1,
                    steps: steps([("default", 0), ("default", 1), ("default", 2), ("ticket", 0), ("ticket", 1)]),
                    at: at(300), reason: "resolved by bob")
            ])
        try h.perform(.close, 1, at: 400, by: "bob")
        let last = try #require(cancellations(h.effects).last)
        #expect(last.reason == "closed by bob")
        #expect(last.steps.count == 6)
    }

    @Test func anAlertResolvingCancelsToo() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        h.send(["alertname": "A"], at: 60, status: .resolved)
        let found = cancellations(h.effects)
        #expect(found.count == 1)
        #expect(found.first?.reason == "resolved: all 1 alerts resolved")
        #expect(found.first?.at == at(60))
    }

    @Test func anAckTimeoutAndAReopenCancelNothing() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.acknowledge, 1, at: 60)
        let afterAck = cancellations(h.effects).count
        h.advance(60 + 31 * 60)
        #expect(h.timeline(of: 1, type: "ack_timeout").count == 1)
        #expect(cancellations(h.effects).count == afterAck)
    }

    /// `rules test` and `replay` rely on the same input giving the same effects.
    @Test func theSameInputGivesTheSameCancellations() throws {
        var runs: [[Effect]] = []
        for _ in 0..<3 {
            var h = Harness(Self.rules)
            h.send(["alertname": "A"], at: 0)
            try h.perform(.acknowledge, 1, at: 300, by: "ann")
            try h.perform(.resolve, 1, at: 600, by: "ann")
            runs.append(h.effects)
        }
        #expect(runs[0] == runs[1] && runs[1] == runs[2])
    }
}
