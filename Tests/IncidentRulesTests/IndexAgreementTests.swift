import Foundation
import IncidentCore
import IncidentRules
import Testing

/// The index may only skip rules that cannot match: the indexed `match` must decide exactly as a linear walk
/// over every rule (`trace`) does.
@Suite("rule index agrees with a linear walk")
struct IndexAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyEventOfTheShippedRuleTestsIsDecidedTheSameWay() throws {
        let rules = RuleSetLoader().load(paths: [Self.root.appendingPathComponent("rules").path])
        let ruleSet = try #require(rules.ruleSet)
        let tests = Self.root.appendingPathComponent("rules/tests").path
        var events: [Event] = []
        for file in RuleSetLoader.expand([tests]) {
            let (testFile, _) = RuleTestFile.load(path: file)
            for test in testFile?.tests ?? [] {
                for e in test.events {
                    events.append(
                        Event(
                            labels: e.labels, annotations: e.annotations, status: e.status, source: e.source,
                            receivedAt: .zero))
                }
            }
        }
        #expect(events.count > 100)
        for event in events {
            let indexed = ruleSet.match(event).ruleIndex
            let linear = ruleSet.trace(event).last { $0.failure == nil && !ruleSet.rules[$0.ruleIndex].continue }
            #expect(indexed == linear?.ruleIndex, "\(event.labels) \(event.annotations)")
        }
    }

    @Test func theTraceSaysWhyARuleDidNotMatch() {
        let ruleSet = RuleSetLoader().load(
            text: """
                rules:
                  - { name: a, match: ['alertname="A"', 'severity="critical"'] }
                  - { name: b, match: ['alertname="A"'], extract: { summary: 'disk (?<disk>sd[a-z])' } }
                  - { name: c, match: [] }
                """, file: "t.yaml"
        ).ruleSet!
        let event = Event(
            labels: ["alertname": "A", "severity": "warning"], annotations: ["summary": "cpu high"], receivedAt: .zero)
        let steps = ruleSet.trace(event)
        #expect(steps.map(\.ruleIndex) == [0, 1, 2])
        #expect(steps[0].failure?.contains(#"severity is "warning""#) == true)
        #expect(steps[1].failure?.contains("extract") == true)
        #expect(steps[2].failure == nil)
    }
}
