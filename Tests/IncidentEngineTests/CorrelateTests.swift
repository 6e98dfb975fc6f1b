import IncidentCore
import IncidentRules
import TestSupport
import Testing

@testable import IncidentEngine

/// Correlation across rules (SPEC §13): alerts of a group's rules with equal `on` labels, within `within` of the
/// incident's last alert, are one incident; the first is the root cause; kind and priority become the highest.
@Suite struct CorrelateTests {
    static let rules = """
        rules:
          - { name: oom, match: ['alertname="OOM"'], kind: degradation, impact: low, urgency: low, group_by: [host, unit] }
          - { name: failed, match: ['alertname="UnitFailed"'], kind: outage, impact: medium, urgency: high, group_by: [unit] }
          - { name: restarts, match: ['alertname="RestartLoop"'], kind: degradation, impact: low, urgency: medium, group_by: [host, unit] }
          - { name: other, match: ['alertname="Other"'], group_by: [host, unit] }
        correlate:
          - { name: unit-trouble, rules: [oom, failed, restarts], on: [host, unit], within: 15m }
        escalation_policies:
          - name: default
            steps: [{ after: 0s, notify: [oncall] }]
        """

    static func alert(_ name: String, _ unit: String, host: String = "web1") -> Labels {
        ["alertname": name, "host": host, "unit": unit]
    }

    @Test func aUnitsOOMFailureAndRestartsAreOneIncidentWithTheOOMAsRootCause() {
        var h = Harness(Self.rules)
        h.send(Self.alert("OOM", "nginx.service"), at: 0)
        h.send(Self.alert("UnitFailed", "nginx.service"), at: 1)
        h.send(Self.alert("RestartLoop", "nginx.service"), at: 120)
        #expect(h.list.count == 1)
        let incident = h.list[0]
        #expect(incident.alerts == 3)
        #expect(incident.rule == "oom", "the first alert's rule: the root cause")
        #expect(incident.kind == .outage, "the most serious kind of its alerts")
        #expect(incident.priority == .p2, "medium x high from the failed unit")
        let lines = h.timeline(of: 1, type: "correlated")
        #expect(lines.count == 2)
        #expect(lines[0].contains("correlation group 'unit-trouble' (host=web1, unit=nginx.service"))
        #expect(lines[0].contains("related to the root cause"))
        #expect(
            h.timeline(of: 1, type: "classified").last
                == "kind degradation → outage: related alert \(Self.alert("UnitFailed", "nginx.service").fingerprint) of rule 'failed'"
        )
        // One page for the problem (the policy ran once; a priority change does not switch policies here).
        #expect(h.keys() == ["oncall@INC-1/0/0"])
    }

    @Test func twoUnitsFailingAtOnceAreTwoIncidents() {
        var h = Harness(Self.rules)
        h.send(Self.alert("UnitFailed", "nginx.service"), at: 0)
        h.send(Self.alert("UnitFailed", "postgresql.service"), at: 0)
        h.send(Self.alert("OOM", "postgresql.service"), at: 5)
        h.send(Self.alert("OOM", "nginx.service"), at: 6)
        #expect(h.list.map(\.alerts) == [2, 2])
        #expect(h.list.map { $0.labels["unit"] } == ["nginx.service", "postgresql.service"])
    }

    @Test func outsideTheWindowAnotherHostOrAnUnlistedRuleIsAnotherIncident() {
        var h = Harness(Self.rules)
        h.send(Self.alert("OOM", "nginx.service"), at: 0)
        h.send(Self.alert("UnitFailed", "nginx.service"), at: 16 * 60)  // 16m after the incident's last alert
        h.send(Self.alert("RestartLoop", "nginx.service", host: "web2"), at: 60)
        h.send(Self.alert("Other", "nginx.service"), at: 30)
        #expect(h.list.count == 4)
    }

    @Test func anAlertWithoutTheJoiningLabelJoinsNothing() {
        var h = Harness(Self.rules)
        h.send(["alertname": "OOM", "host": "web1"], at: 0)
        h.send(["alertname": "UnitFailed", "host": "web1"], at: 1)
        #expect(h.list.count == 2)
    }

    @Test func theIndexSurvivesARestore() throws {
        var h = Harness(Self.rules)
        h.send(Self.alert("OOM", "nginx.service"), at: 0)
        let state = try EngineState.decode(try h.engine.exportState().encoded())
        var restored = Harness(Self.rules)
        restored.engine = CorrelationEngine(restoring: state, ruleSet: compile(Self.rules))
        restored.send(Self.alert("UnitFailed", "nginx.service"), at: 60)
        #expect(restored.list.map(\.alerts) == [2])
    }

    /// The same alerts in any order within the window make the same incidents (by their alerts; the root cause
    /// is whichever came first).
    @Test(arguments: 1...20)
    func theIncidentSetDoesNotDependOnArrivalOrder(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let units = ["a.service", "b.service", "c.service"]
        var sends: [Labels] = []
        for unit in units {
            for name in ["OOM", "UnitFailed", "RestartLoop"] where Bool.random(using: &rng) || name == "UnitFailed" {
                sends.append(Self.alert(name, unit, host: Bool.random(using: &rng) ? "web1" : "web2"))
            }
        }
        func partition(_ order: [Labels]) -> Set<Set<String>> {
            var h = Harness(Self.rules)
            for (i, labels) in order.enumerated() { h.send(labels, at: Double(i * 10)) }
            var byIncident: [Int: Set<String>] = [:]
            for fp in h.engine.alerts.allKeys {
                let a = h.engine.alerts[fp]!
                byIncident[a.incident, default: []].insert("\(a.labels)")
            }
            return Set(byIncident.values)
        }
        let reference = partition(sends)
        for _ in 0..<5 {
            #expect(partition(sends.shuffled(using: &rng)) == reference, "seed \(seed)")
        }
    }

    /// Events a related rule's threshold held join with the alert that joins the incident, instead of running
    /// out below the threshold.
    @Test func heldEventsJoinWithTheirRule() {
        var h = Harness(
            Self.rules.replacingOccurrences(
                of: "group_by: [host, unit] }\n  - { name: other",
                with: "group_by: [host, unit], threshold: { count: 5, within: 10m } }\n  - { name: other"))
        h.send(Self.alert("RestartLoop", "nginx.service"), at: 0)
        h.send(Self.alert("RestartLoop", "nginx.service"), at: 60)
        #expect(h.list.isEmpty, "two restarts are below the threshold")
        h.send(Self.alert("UnitFailed", "nginx.service"), at: 90)
        h.send(Self.alert("RestartLoop", "nginx.service"), at: 120)
        #expect(h.list.count == 1)
        #expect(h.list[0].alerts == 2)
        #expect(h.list[0].events == 4, "the failure, the restart that joined and the two held before it")
        #expect(h.engine.stats.pending == 0)
        #expect(h.engine.stats.accounted == h.engine.stats.eventsIn)
    }

    @Test func badGroupsAreErrorsAtTheirPlace() {
        let result = RuleSetLoader().load(
            text: """
                rules:
                  - { name: a, match: ['alertname="A"'] }
                  - { name: b, match: ['alertname="B"'] }
                correlate:
                  - { name: one, rules: [a, nosuch], on: [host] }
                  - { name: two, rules: [a, b] }
                  - { name: three, rules: [a, b], on: [host], within: 0s }
                  - { name: four, rules: [a] , on: [host] }
                """, file: "c.yaml")
        let messages = result.errors.map(\.description)
        #expect(messages.contains { $0.contains("c.yaml:5:5") && $0.contains("'nosuch'") })
        #expect(messages.contains { $0.contains("c.yaml:6:5") && $0.contains("needs on:") })
        #expect(messages.contains { $0.contains("within must be longer than 0s") })
        #expect(messages.contains { $0.contains("at least two rule names") })
    }
}
