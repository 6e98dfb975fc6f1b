import IncidentCore
import IncidentRules
import Testing

@testable import IncidentEngine

/// Operators correct the engine (SPEC §13): `merge` joins an incident into another, `split` takes an alert out
/// into an incident of its own; later events follow, and both survive a restore.
@Suite struct MergeSplitTests {
    static let rules = """
        rules:
          - { name: web, match: ['alertname="WebSlow"'], kind: degradation, impact: low, urgency: low, group_by: [host] }
          - { name: disk, match: ['alertname="DiskFull"'], kind: degradation, impact: low, urgency: low, group_by: [host] }
          - { name: down, match: ['alertname="HostDown"'], kind: outage, impact: high, urgency: high, group_by: [host] }
        escalation_policies:
          - name: page
            steps: [{ after: 0s, notify: [oncall] }, { after: 30m, notify: [lead] }]
          - name: ticket
            steps: [{ after: 0s, notify: [tickets] }]
        escalation_by_priority: { P1: page, P2: page, P3: ticket, P4: ticket, P5: ticket }
        """

    static let webA: Labels = ["alertname": "WebSlow", "host": "a"]
    static let diskB: Labels = ["alertname": "DiskFull", "host": "b"]
    static let downB: Labels = ["alertname": "HostDown", "host": "b"]

    func cancellations(_ effects: [Effect]) -> [NotificationCancellation] {
        effects.compactMap { if case .cancel(let c) = $0 { c } else { nil } }
    }

    func merge(_ h: inout Harness, _ source: Int, into target: Int, at seconds: Double) throws {
        h.advance(seconds)
        h.collect(try h.engine.merge(source, into: target, by: "alice", at: at(seconds)))
    }

    @discardableResult
    func split(_ h: inout Harness, _ number: Int, _ labels: Labels, at seconds: Double) throws -> Int {
        h.advance(seconds)
        let (new, effects) = try h.engine.split(number, alert: labels.fingerprint, by: "bob", at: at(seconds))
        h.collect(effects)
        return new
    }

    /// The engine's state survives encoding and a restore unchanged.
    func restored(_ h: Harness) throws -> Harness {
        let state = try EngineState.decode(try h.engine.exportState().encoded())
        var restored = h
        restored.engine = CorrelationEngine(restoring: state, ruleSet: compile(Self.rules))
        #expect(
            try restored.engine.exportState().canonicalJSON() == (try h.engine.exportState().canonicalJSON()))
        return restored
    }

    // MARK: - Merge

    @Test func aMergeMovesTheAlertsAndCountsAndClosesTheSource() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        h.send(Self.diskB, at: 20)
        #expect(h.list.map(\.events) == [1, 2])
        let before = h.effects.count
        try merge(&h, 2, into: 1, at: 60)
        let effects = Array(h.effects[before...])

        let target = try #require(h.engine.snapshot(1))
        #expect(target.alerts == 2)
        #expect(target.events == 3)
        #expect(target.labels == Self.webA.intersection(Self.diskB))
        #expect(h.engine.alerts(of: 1).map(\.fingerprint) == [Self.webA.fingerprint, Self.diskB.fingerprint])
        #expect(h.engine.alerts(of: 1).map(\.events) == [1, 2])
        #expect(h.engine.snapshot(2) == nil, "the source left the working set")
        #expect(h.incidents[2]?.state == .closed)
        #expect(h.timeline(of: 1, type: "merged") == ["INC-2 merged in by alice: its 1 alerts join"])
        #expect(h.timeline(of: 2, type: "merged") == ["merged into INC-1 by alice"])
        #expect(h.timeline(of: 2, type: "closed") == ["merged into INC-1 by alice"])
        let cancels = cancellations(effects)
        #expect(cancels.map(\.incident) == [2])
        #expect(cancels.first?.reason == "merged into INC-1 by alice")
        #expect(cancels.first?.steps.count == 3, "every step of every policy")
        #expect(!effects.contains { if case .notify = $0 { true } else { false } }, "no new page at equal priority")
        #expect(effects.contains(.closed(incident: 2)))
        // The moved alert's snapshot names its new incident, so the store files it there.
        #expect(
            effects.contains {
                if case .alert(let a) = $0 { a.fingerprint == Self.diskB.fingerprint && a.incident == 1 } else { false }
            })
    }

    @Test func laterEventsOfTheSourceLandInTheTarget() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        try merge(&h, 2, into: 1, at: 60)
        // A repeat of a moved alert, and a new alert of the source's group.
        h.send(Self.diskB, at: 120)
        h.send(["alertname": "DiskFull", "host": "b", "mount": "/var"], at: 130)
        #expect(h.engine.activeIncidents.map(\.number) == [1])
        let target = try #require(h.engine.snapshot(1))
        #expect(target.alerts == 3)
        #expect(target.events == 4)
        #expect(h.timeline(of: 1, type: "grouped").count == 1)
        // Its alerts resolving resolves the target.
        h.send(Self.webA, at: 200, status: .resolved)
        h.send(Self.diskB, at: 200, status: .resolved)
        #expect(h.engine.snapshot(1)?.state == .open, "one alert still fires")
        h.send(["alertname": "DiskFull", "host": "b", "mount": "/var"], at: 210, status: .resolved)
        #expect(h.engine.snapshot(1)?.state == .resolved)
    }

    @Test func aMoreSeriousSourceRaisesTheTargetAndSwitchesItsPolicy() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.downB, at: 10)
        #expect(h.keys() == ["tickets@INC-1/0/0", "oncall@INC-2/0/0"])
        try merge(&h, 2, into: 1, at: 60)
        let target = try #require(h.engine.snapshot(1))
        #expect(target.kind == .outage)
        #expect(target.priority == h.incidents[2]?.priority)
        #expect(target.escalation?.policy == "page")
        // A new run of the priority's policy (new round numbers, so new idempotency keys).
        #expect(h.keys(1) == ["tickets@INC-1/0/0", "oncall@INC-1/0/1"])
    }

    @Test func aLessSeriousSourcePagesNobody() throws {
        var h = Harness(Self.rules)
        h.send(Self.downB, at: 0)
        h.send(Self.webA, at: 10)
        let pages = h.notifications.count
        try merge(&h, 2, into: 1, at: 60)
        #expect(h.notifications.count == pages)
        #expect(h.engine.snapshot(1)?.escalation?.policy == "page")
        #expect(h.engine.snapshot(1)?.kind == .outage)
        // The target's escalation goes on as it was: its next step still fires once.
        h.advance(31 * 60)
        #expect(h.keys(1) == ["oncall@INC-1/0/0", "lead@INC-1/1/0"])
        #expect(h.keys(2) == ["tickets@INC-2/0/0"])
    }

    @Test func aResolvedTargetReopensWhenFiringAlertsJoin() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        try h.perform(.resolve, 1, at: 20)
        try merge(&h, 2, into: 1, at: 60)
        #expect(h.engine.snapshot(1)?.state == .open)
        #expect(h.timeline(of: 1, type: "reopened") == ["INC-2 merged in by alice with firing alerts"])
    }

    @Test func aMergeIntoItselfAnUnknownOrAClosedIncidentIsRefused() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        #expect(throws: EngineError.self) { try h.engine.merge(1, into: 1, by: "alice", at: at(20)) }
        do {
            _ = try h.engine.merge(1, into: 1, by: "alice", at: at(20))
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message == "INC-1 cannot be merged into itself; name another incident")
        }
        do {
            _ = try h.engine.merge(2, into: 99, by: "alice", at: at(20))
            Issue.record("merged into an unknown incident")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.hasPrefix("INC-99 "))
        }
        try h.perform(.close, 2, at: 30)
        do {
            _ = try h.engine.merge(2, into: 1, by: "alice", at: at(40))
            Issue.record("merged a closed incident")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(h.engine.snapshot(1)?.alerts == 1, "a refusal changes nothing")
    }

    @Test func aMergeSurvivesARestore() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        try merge(&h, 2, into: 1, at: 60)
        var r = try restored(h)
        r.send(Self.diskB, at: 120)
        r.send(["alertname": "DiskFull", "host": "b", "mount": "/var"], at: 130)
        #expect(r.engine.activeIncidents.map(\.number) == [1])
        #expect(r.engine.snapshot(1)?.alerts == 3)
    }

    // MARK: - Split

    static let webA2: Labels = ["alertname": "WebSlow", "host": "a", "instance": "x"]

    @Test func aSplitOpensANewIncidentForTheAlert() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.webA2, at: 10)
        h.send(Self.webA2, at: 20)
        #expect(h.list.map(\.alerts) == [2])
        let new = try split(&h, 1, Self.webA2, at: 60)
        #expect(new == 2)
        let old = try #require(h.engine.snapshot(1))
        #expect(old.alerts == 1)
        #expect(old.events == 1)
        #expect(old.labels == Self.webA)
        let split = try #require(h.engine.snapshot(2))
        #expect(split.alerts == 1)
        #expect(split.events == 2, "the alert keeps its events")
        #expect(split.state == .open)
        let alert = try #require(h.engine.alerts(of: 2).first)
        #expect(alert.fingerprint == Self.webA2.fingerprint)
        #expect(alert.firstSeen == at(10))
        #expect(alert.events == 2)
        #expect(h.timeline(of: 1, type: "split") == ["alert \(Self.webA2.fingerprint) split off into INC-2 by bob"])
        #expect(h.timeline(of: 2, type: "split") == ["split off INC-1 by bob"])
        #expect(h.keys(2) == ["tickets@INC-2/0/0"], "it escalates under its own policy")
        // Its repeats land in the new incident; the old one keeps collecting its group.
        h.send(Self.webA2, at: 120)
        #expect(h.engine.snapshot(2)?.events == 3)
        h.send(["alertname": "WebSlow", "host": "a", "instance": "y"], at: 130)
        #expect(h.engine.snapshot(1)?.alerts == 2)
        #expect(h.engine.activeIncidents.count == 2)
        // Resolving what is left of the old one does not touch the new one.
        h.send(Self.webA, at: 140, status: .resolved)
        h.send(["alertname": "WebSlow", "host": "a", "instance": "y"], at: 140, status: .resolved)
        #expect(h.engine.snapshot(1)?.state == .resolved)
        #expect(h.engine.snapshot(2)?.state == .open)
    }

    @Test func theOnlyAlertOrAnUnknownOneCannotBeSplit() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        do {
            _ = try h.engine.split(1, alert: Self.webA.fingerprint, by: "bob", at: at(10))
            Issue.record("split the only alert")
        } catch {
            #expect(error.code == .invalidTransition)
            #expect(error.message.contains("only alert of INC-1"))
        }
        h.send(Self.webA2, at: 5)
        do {
            _ = try h.engine.split(1, alert: Self.diskB.fingerprint, by: "bob", at: at(10))
            Issue.record("split an alert the incident does not have")
        } catch {
            #expect(error.code == .invalidInput)
        }
        do {
            _ = try h.engine.split(7, alert: Self.webA.fingerprint, by: "bob", at: at(10))
            Issue.record("split an unknown incident")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(h.engine.activeIncidents.map(\.alerts) == [2])
    }

    @Test func aSplitAfterAMergeUndoesIt() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.diskB, at: 10)
        try merge(&h, 2, into: 1, at: 60)
        let new = try split(&h, 1, Self.diskB, at: 70)
        #expect(new == 3)
        #expect(h.engine.activeIncidents.map(\.alerts) == [1, 1])
        #expect(h.engine.snapshot(3)?.rule == "disk")
        h.send(["alertname": "DiskFull", "host": "b", "mount": "/var"], at: 80)
        #expect(h.engine.snapshot(3)?.alerts == 2, "the split alert's own group moved with it")
    }

    @Test func aSplitSurvivesARestore() throws {
        var h = Harness(Self.rules)
        h.send(Self.webA, at: 0)
        h.send(Self.webA2, at: 10)
        try split(&h, 1, Self.webA2, at: 60)
        var r = try restored(h)
        r.send(Self.webA2, at: 120)
        #expect(r.engine.snapshot(2)?.events == 2)
        #expect(r.engine.snapshot(1)?.alerts == 1)
    }
}
