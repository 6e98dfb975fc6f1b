import Foundation
import IncidentCore
import IncidentRules
import Testing

/// `RuleExplanation` is what `incidentctl rules explain` prints and `POST /api/v1/rules/explain` returns; the
/// CLI's exact output is pinned by the integration tests, these pin the data.
@Suite struct RuleExplanationTests {
    static let rules = """
        escalation_policies:
          - name: pager
            steps:
              - { after: 0s, notify: [ops] }
        escalation_by_priority: { P1: pager, P2: pager, P3: pager, P4: pager, P5: pager }
        correlate:
          - { name: host-trouble, rules: [host-down, disk-full], on: [host], within: 10m }
        rules:
          - name: noise
            match: ['alertname="Watchdog"']
            drop: true
          - name: host-down
            match: ['alertname="HostDown"']
            kind: outage
            group_by: [host]
            threshold: { count: 3, within: 5m }
          - name: disk-full
            match: ['alertname="DiskFull"']
            kind: degradation
        """

    static func ruleSet() throws -> RuleSet {
        let result = RuleSetLoader(knownNotifiers: ["ops"]).load(text: rules, file: "r.yaml")
        return try #require(result.ruleSet, "\(result.diagnostics)")
    }

    static func event(_ labels: Labels) -> Event {
        Event(labels: labels, receivedAt: Timestamp(rfc3339: "2026-12-04T12:00:00Z")!)
    }

    @Test func aKeptAlertHasItsIncidentOutcome() throws {
        let explained = RuleExplanation(
            event: Self.event(["alertname": "HostDown", "host": "db1", "severity": "critical"]),
            ruleSet: try Self.ruleSet())
        let match = try #require(explained.explanation.match)
        #expect(match.rule == "host-down")
        #expect(match.ruleLocation.hasPrefix("r.yaml:"))
        let incident = try #require(match.incident)
        #expect(incident.kind == .outage)
        #expect(incident.escalation == "pager")
        #expect(incident.groupKey == #"host-down{host="db1"}"#)
        #expect(incident.threshold == EventExplanation.Threshold(count: 3, within: "5m", distinctLabel: nil))
        #expect(incident.correlations == [.init(group: "host-trouble", on: ["host"], within: "10m", joins: true)])
        #expect(explained.explanation.trace == nil)
        #expect(explained.text.hasPrefix("  rule:         host-down  (r.yaml:"))
        #expect(explained.text.contains("  threshold:    opens after 3 events within 5m"))
    }

    @Test func aDroppedEventHasNoIncidentAndAnUnmatchedOneNoRule() throws {
        let ruleSet = try Self.ruleSet()
        let dropped = RuleExplanation(event: Self.event(["alertname": "Watchdog"]), ruleSet: ruleSet)
        #expect(dropped.explanation.match?.rule == "noise")
        #expect(dropped.explanation.match?.incident == nil)
        #expect(dropped.text.contains("action:       drop"))
        let unmatched = RuleExplanation(
            event: Self.event(["alertname": "Else"]), ruleSet: ruleSet, sourceOverride: .spool, trace: true)
        #expect(unmatched.explanation.match == nil)
        #expect(unmatched.explanation.source == .spool)
        #expect(unmatched.explanation.trace?.map(\.rule) == ["noise", "host-down", "disk-full"])
        #expect(unmatched.explanation.trace?.allSatisfy { $0.failure != nil } == true)
        #expect(unmatched.text.contains("none matches"))
    }

    /// The JSON keys are the CLI's; decoding gives back the same value.
    @Test(arguments: ["HostDown", "Watchdog", "Else"])
    func theJSONRoundTrips(alertname: String) throws {
        let explained = RuleExplanation(
            event: Self.event(["alertname": alertname, "host": "h"]), ruleSet: try Self.ruleSet(), trace: true)
        let data = try JSONEncoder().encode(explained.explanation)
        #expect(try JSONDecoder().decode(EventExplanation.self, from: data) == explained.explanation)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["rule"] != nil, "rule is always there, null when none matches")
        #expect(object["input_labels"] as? [String: String] == ["alertname": alertname, "host": "h"])
        #expect((object["trace"] as? [[String: Any]])?.first?["why_not"] is String)
    }

    @Test func summariesListTheRulesInOrderWithPoliciesAndGroups() throws {
        let summaries = try Self.ruleSet().summaries
        #expect(summaries.map(\.name) == ["noise", "host-down", "disk-full"])
        #expect(summaries[0].drop && summaries[0].escalation.isEmpty)
        #expect(summaries[1].matchers == [#"alertname="HostDown""#])
        #expect(summaries[1].groupBy == ["host"])
        #expect(summaries[1].escalation == ["pager"])
        #expect(summaries[1].correlationGroups == ["host-trouble"])
        #expect(summaries[2].groupBy == nil)
        #expect(summaries[2].location.hasPrefix("r.yaml:"))
        #expect(summaries[2].location.split(separator: ":").count == 2)
    }
}
