import IncidentCore
import IncidentEngine
import Testing

@Suite("escalation")
struct EscalationTests {
    static let rules = """
        rules:
          - { name: quiet, match: ['team="none"'], impact: low, urgency: low }
          - { name: r, match: [], kind: outage, impact: high, urgency: high, escalation: default }
        escalation_policies:
          - name: default
            steps:
              - { after: 0s,  notify: [oncall] }
              - { after: 15m, notify: [team-lead] }
              - { after: 1h,  notify: [manager], while: unresolved }
            repeat: { times: 1, every: 30m }
            ack_timeout: 30m
          - name: ticket
            steps: [{ after: 0s, notify: [tickets] }]
        escalation_by_priority: { P1: default, P2: default, P3: default, P4: ticket, P5: ticket }
        """

    @Test func stepsFireAtTheirTimesAndRepeatAsRounds() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        #expect(h.keys() == ["oncall@INC-1/0/0"])
        h.advance(15 * 60 - 1)
        #expect(h.keys().count == 1)
        h.advance(15 * 60)
        #expect(h.keys() == ["oncall@INC-1/0/0", "team-lead@INC-1/1/0"])
        h.advance(3600)
        #expect(h.keys().last == "manager@INC-1/2/0")
        // Round 1 starts 30m after the last step of round 0.
        h.advance(3600 + 30 * 60 - 1)
        #expect(h.keys().count == 3)
        h.advance(3600 + 30 * 60)
        #expect(h.keys().last == "oncall@INC-1/0/1")
        h.advance(100 * 3600)
        #expect(h.keys().count == 6, "one repeat: two rounds of three steps, then it stops")
        #expect(h.list[0].escalation?.step == nil)
    }

    @Test func anAlertThatFiredHoursBeforeItArrivedPagesOnceNotEveryStepAtOnce() {
        var h = Harness(Self.rules)
        // Prometheus re-sends an alert whose startsAt is three hours old (incidentd was down, or just installed).
        h.send(event(["alertname": "A"], 0, delay: 3 * 3600))
        #expect(h.list[0].openedAt == at(0), "the incident records when the condition started")
        #expect(h.keys() == ["oncall@INC-1/0/0"], "only the first step is due on arrival")
        h.advance(3 * 3600 + 15 * 60 - 1)
        #expect(h.keys().count == 1)
        h.advance(3 * 3600 + 15 * 60)
        #expect(h.keys().last == "team-lead@INC-1/1/0", "later steps count from arrival")
    }

    @Test func acknowledgeStopsTheNextStepAndAckTimeoutResumesIt() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.acknowledge, 1, at: 5 * 60)
        h.advance(20 * 60)
        #expect(h.keys() == ["oncall@INC-1/0/0"], "team-lead is not paged while acknowledged")
        #expect(h.timeline(of: 1, type: "escalation").last?.contains("held") == true)
        h.advance(35 * 60)
        #expect(h.list[0].state == .open, "the acknowledgement lapsed after ack_timeout")
        #expect(h.keys() == ["oncall@INC-1/0/0", "team-lead@INC-1/1/0"])
        #expect(h.notifications.last?.due == at(35 * 60), "the held step fires when the ack lapses")
        // The `while: unresolved` manager step kept its own time (1h) through the acknowledgement.
        h.advance(3600 - 1)
        #expect(h.keys().count == 2)
        h.advance(3600)
        #expect(h.keys().last == "manager@INC-1/2/0")
    }

    /// incidentd's PagerDuty notifier sends the incident id as `dedup_key`; PagerDuty's acknowledge names it.
    @Test func aPagerDutyAcknowledgeNamingTheIncidentAcknowledgesIt() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        var ack = event(["dedup_key": "INC-1"], 60)
        ack.acknowledges = true
        h.send(ack)
        #expect(h.list[0].state == .acknowledged)
        #expect(h.list[0].acknowledgedBy == "pagerduty")
        h.advance(20 * 60)
        #expect(h.keys() == ["oncall@INC-1/0/0"], "the acknowledge holds the next step")
        var stray = event(["dedup_key": "INC-99"], 70)
        stray.acknowledges = true
        h.send(stray)
        #expect(h.engine.stats.stale == 1, "an acknowledge for an unknown incident is stale, not an error")
    }

    @Test func aLongAcknowledgementReleasesEachHeldStepOnceWhenItLapses() throws {
        var h = Harness(
            """
            rules:
              - { name: r, match: [], escalation: p }
            escalation_policies:
              - name: p
                steps:
                  - { after: 0s, notify: [a] }
                  - { after: 10m, notify: [b] }
                repeat: { times: 5, every: 10m }
                ack_timeout: 3h
            """)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.acknowledge, 1, at: 60)
        h.advance(3 * 3600 + 60)
        // Rounds 1..5 fell due while acknowledged; when the ack lapses each step fires once, for its latest round.
        #expect(h.keys().count == 3, "\(h.keys())")
        #expect(Set(h.keys()) == ["a@INC-1/0/0", "a@INC-1/0/5", "b@INC-1/1/5"])
        #expect(h.list[0].state == .open)
    }

    @Test func unresolvedStepsFireWhileAcknowledged() throws {
        var h = Harness(
            """
            rules:
              - { name: r, match: [], escalation: p }
            escalation_policies:
              - name: p
                steps:
                  - { after: 0s, notify: [a] }
                  - { after: 10m, notify: [b], while: unresolved }
            """)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.acknowledge, 1, at: 60)
        h.advance(10 * 60)
        #expect(h.keys() == ["a@INC-1/0/0", "b@INC-1/1/0"])
    }

    @Test func resolveStopsAndReopenStartsANewRoundWithNewKeys() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        h.send(["alertname": "A"], at: 60, status: .resolved)
        h.advance(3 * 3600)
        #expect(h.keys() == ["oncall@INC-1/0/0"])
        var h2 = Harness(Self.rules)
        h2.send(["alertname": "A"], at: 0)
        h2.send(["alertname": "A"], at: 60, status: .resolved)
        h2.send(["alertname": "A"], at: 120)
        #expect(h2.list[0].state == .open)
        #expect(h2.keys() == ["oncall@INC-1/0/0", "oncall@INC-1/0/1"], "a reopen pages again, under a new key")
        #expect(Set(h2.keys()).count == h2.keys().count, "no idempotency key repeats")
    }

    @Test func priorityPicksThePolicyAndANoPolicyIncidentIsSaidSo() {
        var h = Harness(Self.rules)
        h.send(["alertname": "Low", "team": "none"], at: 0)
        #expect(h.list[0].priority == .p5)
        #expect(h.keys() == ["tickets@INC-1/0/0"])
        var h2 = Harness(
            """
            rules:
              - { name: r, match: [] }
            """)
        h2.send(["alertname": "X"], at: 0)
        #expect(h2.notifications.isEmpty)
        #expect(h2.timeline(of: 1, type: "escalation")[0].contains("nobody is notified"))
    }

    @Test func aPriorityRiseSwitchesToThePolicyForTheNewPriority() {
        var h = Harness(
            """
            rules:
              - { name: r, match: [], impact: { count_distinct: host, medium: 2, high: 3 }, urgency: high, group_by: [alertname] }
            escalation_policies:
              - { name: slow, steps: [{ after: 1h, notify: [mail] }] }
              - { name: page, steps: [{ after: 0s, notify: [pager] }] }
            escalation_by_priority: { P1: page, P2: slow, P3: slow, P4: slow, P5: slow }
            """)
        h.send(["alertname": "X", "host": "a"], at: 0)
        #expect(h.list[0].priority == .p3)
        h.send(["alertname": "X", "host": "b"], at: 10)
        h.send(["alertname": "X", "host": "c"], at: 20)
        #expect(h.list[0].priority == .p1)
        #expect(h.keys() == ["pager@INC-1/0/1"])
        #expect(h.list[0].escalation?.policy == "page")
    }
}

@Suite("lifecycle, state and reload")
struct LifecycleTests {
    static let rules = """
        rules:
          - { name: r, match: [], kind: outage, impact: high, urgency: high, close_after: 2h }
        escalation_policies:
          - name: default
            steps: [{ after: 0s, notify: [oncall] }, { after: 10m, notify: [boss] }]
        """

    @Test(arguments: [
        (IncidentState.open, IncidentState.Action.reopen), (.resolved, .acknowledge), (.resolved, .resolve),
    ])
    func forbiddenTransitionsAreRefused(_ state: IncidentState, _ action: IncidentState.Action) throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        if state == .resolved { try h.perform(.resolve, 1, at: 10) }
        #expect(throws: EngineError.self) { try h.perform(action, 1, at: 20) }
    }

    @Test func closeAfterClosesAndTheIncidentLeavesTheWorkingSet() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        h.send(["alertname": "A"], at: 60, status: .resolved)
        h.advance(60 + 7200 + 60)
        #expect(h.list[0].state == .closed)
        #expect(h.list[0].closedAt == at(60 + 7200))
        #expect(h.engine.workingSetSize.incidents == 0)
        #expect(h.engine.workingSetSize.alerts == 0)
        #expect(h.effects.contains(.closed(incident: 1)))
        h.send(["alertname": "A"], at: 9000)
        #expect(h.list.count == 2, "after closing, the alert opens a new incident")
    }

    @Test func manualResolveIsNotUndoneByRepeatsOfTheSameFiring() throws {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        try h.perform(.resolve, 1, at: 300)
        // Prometheus re-sends the same alert with its original startsAt.
        h.send(event(["alertname": "A"], 0, delay: 400))
        #expect(h.list[0].state == .resolved)
        // A new firing (a later startsAt) does reopen it.
        h.send(["alertname": "A"], at: 500)
        #expect(h.list[0].state == .open)
    }

    @Test func aReportedIncidentIsPrioritisedAndEscalated() throws {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        let (number, effects) = try engine.openReported(
            kind: .userIssue, title: "VPN down for sales", impact: .high, urgency: .medium, by: "desk", at: at(0))
        #expect(engine.snapshot(number)?.priority == .p2)
        #expect(
            effects.contains { if case .notify(let n) = $0 { return n.notifier == "oncall" } else { return false } })
        #expect(throws: EngineError.self) { try engine.openReported(kind: .outage, title: "", by: "x", at: at(0)) }
    }

    @Test func exportedStateContinuesExactlyLikeTheUninterruptedEngine() throws {
        let ruleSet = compile(Self.rules)
        var a = Harness(ruleSet: ruleSet)
        var b = Harness(ruleSet: ruleSet)
        a.send(["alertname": "A", "host": "1"], at: 0)
        b.send(["alertname": "A", "host": "1"], at: 0)
        let data = try b.engine.exportState().encoded()
        b.engine = CorrelationEngine(restoring: try EngineState.decode(data), ruleSet: ruleSet)
        for h in [0, 1] {
            var x = h == 0 ? a : b
            x.send(["alertname": "A", "host": "2"], at: 30)
            x.advance(11 * 60)
            x.send(["alertname": "A", "host": "1"], at: 700, status: .resolved)
            if h == 0 { a = x } else { b = x }
        }
        #expect(a.keys() == b.keys())
        #expect(a.list == b.list)
        #expect(try a.engine.exportState().canonicalJSON() == b.engine.exportState().canonicalJSON())
    }

    @Test func aResolveHeldForItsLateFiringEventSurvivesARestart() throws {
        let ruleSet = compile(Self.rules)
        var h = Harness(ruleSet: ruleSet)
        h.send(event(["alertname": "A"], 20, status: .resolved))
        let data = try h.engine.exportState().encoded()
        h.engine = CorrelationEngine(restoring: try EngineState.decode(data), ruleSet: ruleSet)
        h.send(event(["alertname": "A"], 10, delay: 15))
        #expect(h.list.count == 1)
        #expect(h.list[0].state == .resolved, "the held resolve still applies after the restart")
        #expect(h.engine.stats.accounted == h.engine.stats.eventsIn)
    }

    @Test func reloadKeepsOpenIncidentsAndTheirTimers() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        h.engine.reload(
            compile(
                """
                rules:
                  - { name: other, match: ['x="y"'] }
                  - { name: r, match: [], kind: outage, impact: high, urgency: high }
                escalation_policies:
                  - name: default
                    steps: [{ after: 0s, notify: [oncall] }, { after: 10m, notify: [boss2] }]
                """))
        h.send(["alertname": "A"], at: 60)
        #expect(h.list.count == 1)
        #expect(h.list[0].events == 2)
        h.advance(600)
        #expect(h.keys() == ["oncall@INC-1/0/0", "boss2@INC-1/1/0"], "the timer survived; the new step applies")
    }
}
