import Foundation
import IncidentConfig
import IncidentRules
import Testing

/// One file (or directory) under `Fixtures/broken/` holding exactly one mistake, and the diagnostic it must get.
struct BrokenFixture: Sendable, CustomTestStringConvertible {
    /// Path under `Fixtures/broken/`.
    var fixture: String
    var severity: Diagnostic.Severity
    var code: String
    var line: Int
    var column: Int
    /// Text the message must contain: the fix, or the suggestion when there is one.
    var hint: String
    /// The file the diagnostic names, when not the fixture itself (directory fixtures).
    var reportedFile: String?

    init(
        _ fixture: String, _ severity: Diagnostic.Severity, _ code: String, _ line: Int, _ column: Int,
        hint: String, in reportedFile: String? = nil
    ) {
        self.fixture = fixture
        self.severity = severity
        self.code = code
        self.line = line
        self.column = column
        self.hint = hint
        self.reportedFile = reportedFile
    }

    var testDescription: String { "\(fixture) → \(code)" }
}

enum BrokenFixtures {
    static let all: [BrokenFixture] = [
        .init("yaml-syntax.yaml", .error, "yaml-syntax", 5, 5, hint: "did not find expected ',' or ']'"),
        .init("unknown-key.yaml", .error, "unknown-key", 5, 5, hint: "Did you mean 'kind'?"),
        .init("unknown-top-key.yaml", .error, "unknown-key", 2, 1, hint: "Did you mean 'rules'?"),
        .init(
            "duplicate-key.yaml", .error, "duplicate-key", 7, 5,
            hint: "key 'kind' appears twice in the same mapping (first at line 5); keep one"),
        .init("bad-duration.yaml", .error, "bad-duration", 5, 19, hint: "e.g. 30s, 5m, 1h30m"),
        .init("zero-window.yaml", .error, "out-of-range", 5, 36, hint: "threshold.within must be longer than 0s"),
        .init("bad-regex-matcher.yaml", .error, "bad-regex", 5, 42, hint: "expected ')'"),
        .init("bad-regex-extract.yaml", .error, "bad-regex", 6, 25, hint: "expected ']'"),
        .init("extract-no-capture.yaml", .error, "extract-no-capture", 5, 25, hint: "(?<label>...)"),
        .init("bad-capture-name.yaml", .error, "bad-label-name", 5, 25, hint: "write (?<src_ip>...)"),
        .init("bad-group-by.yaml", .error, "bad-label-name", 5, 22, hint: "write 'src_ip'"),
        .init("bad-matcher.yaml", .error, "bad-matcher", 4, 22, hint: "use a single '='"),
        .init("matcher-comparison.yaml", .warning, "suspicious-matcher", 4, 20, hint: "there is no '>' operator"),
        .init("matcher-negation-order.yaml", .error, "bad-matcher", 4, 22, hint: "did you mean '!='?"),
        .init("matcher-negation-spaced.yaml", .warning, "suspicious-matcher", 4, 24, hint: "did you mean '!='?"),
        .init("matcher-regex-equal.yaml", .warning, "suspicious-matcher", 4, 24, hint: "use '=~'"),
        .init("matcher-regex-alternation.yaml", .warning, "suspicious-matcher", 4, 19, hint: "use '!~'"),
        .init("match-mapping.yaml", .error, "wrong-type", 4, 12, hint: #"write ['alertname="HostDown"']"#),
        .init("not-a-bool.yaml", .error, "wrong-type", 5, 11, hint: "drop must be true or false"),
        .init("missing-name.yaml", .error, "missing-key", 3, 5, hint: "every rule needs a unique name"),
        .init("missing-match.yaml", .error, "missing-key", 4, 5, hint: "write match: [] to match every event"),
        .init("threshold-without-within.yaml", .error, "missing-key", 5, 16, hint: "e.g. { count: 5, within: 2m }"),
        .init("step-without-notify.yaml", .error, "missing-key", 6, 9, hint: "needs 'notify: [NAME, ...]'"),
        .init("unknown-kind.yaml", .error, "unknown-kind", 5, 11, hint: "Did you mean 'outage'?"),
        .init("unknown-impact.yaml", .error, "unknown-impact", 5, 13, hint: "use one of high, medium, low"),
        .init("unknown-urgency.yaml", .error, "unknown-urgency", 5, 14, hint: "Did you mean 'high'?"),
        .init("unknown-condition.yaml", .error, "unknown-condition", 6, 50, hint: "Did you mean 'unresolved'?"),
        .init("unknown-priority.yaml", .error, "unknown-priority", 3, 17, hint: "use one of P1, P2, P3, P4, P5"),
        .init("impact-medium-above-high.yaml", .error, "out-of-range", 5, 13, hint: "must not be above impact.high"),
        .init("drop-and-continue.yaml", .error, "conflicting-keys", 3, 11, hint: "remove one"),
        .init("unclosed-template.yaml", .error, "bad-template", 5, 12, hint: "'{{' is never closed; write {{label}}"),
        .init("template-label.yaml", .warning, "template-label", 5, 12, hint: "it may render as <instance?>"),
        .init("duplicate-rule.yaml", .error, "duplicate-rule", 6, 11, hint: "rule names must be unique"),
        .init("duplicate-policy.yaml", .error, "duplicate-policy", 5, 11, hint: "rename one"),
        .init(
            "undefined-policy.yaml", .error, "undefined-policy", 10, 17,
            hint: "Did you mean 'undefined-policy-security'?"),
        .init("undefined-notifier.yaml", .error, "undefined-notifier", 5, 30, hint: "Did you mean 'oncall'?"),
        .init("step-order.yaml", .error, "step-order", 6, 9, hint: "list steps in time order"),
        .init(
            "inhibit-empty-source.yaml", .error, "empty-matchers", 4, 13,
            hint: #"e.g. source: ['alertname="HostDown"']"#),
        .init(
            "incomplete-matrix.yaml", .error, "incomplete-matrix", 4, 11, hint: "lacks low; give all three urgencies"),
        .init("unreachable-rule.yaml", .warning, "unreachable-rule", 5, 11, hint: "takes every event first"),
        .init("not-utf8.yaml", .error, "not-utf8", 1, 1, hint: "save it as UTF-8"),
        .init(
            "conflicting-definition", .error, "conflicting-definition", 3, 3, hint: "define it in one file only",
            in: "conflicting-definition/b.yaml"),
        .init("empty-directory", .warning, "empty-directory", 1, 1, hint: "must end in .yaml or .yml"),
    ]
}

@Suite struct BrokenRulesTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let brokenDirectory = fixtures.appendingPathComponent("broken")

    /// The notifier names of the small config beside the fixtures, as `rules check --config` would use them.
    static func knownNotifiers() throws -> Set<String> {
        let loaded = Configuration.load(path: fixtures.appendingPathComponent("broken-config/incidentd.yaml").path)
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let configuration = try #require(loaded.configuration)
        return Set(configuration.notifiers.map(\.name))
    }

    @Test(arguments: BrokenFixtures.all)
    func fixtureGetsExactlyTheExpectedDiagnostic(_ expected: BrokenFixture) throws {
        let path = Self.brokenDirectory.appendingPathComponent(expected.fixture).path
        let result = RuleSetLoader(knownNotifiers: try Self.knownNotifiers()).load(paths: [path])
        let diagnostics = result.diagnostics
        try #require(
            diagnostics.count == 1,
            "one mistake, one diagnostic; got:\n\(diagnostics.map(\.description).joined(separator: "\n"))")
        let d = diagnostics[0]
        #expect(d.code == expected.code)
        #expect(d.severity == expected.severity)
        #expect(d.line == expected.line, "\(d)")
        #expect(d.column == expected.column, "\(d)")
        #expect(d.file.hasSuffix("broken/" + (expected.reportedFile ?? expected.fixture)), "\(d)")
        #expect(d.message.contains(expected.hint), "\(d)")
        // An error withholds the rule set (the daemon keeps its old rules); a warning does not.
        #expect((result.ruleSet == nil) == (expected.severity == .error))
    }

    @Test func everyFixtureHasAnExpectation() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.brokenDirectory.path)
            .filter { !$0.hasPrefix(".") }
        #expect(Set(names) == Set(BrokenFixtures.all.map(\.fixture)))
        #expect(BrokenFixtures.all.count >= 18)
    }

    @Test func fixtureRuleNamesAreUniqueAcrossFixtures() throws {
        // So that any subset of the fixtures can be loaded together without duplicate-rule noise.
        var seen: [String: String] = [:]
        for fixture in BrokenFixtures.all where fixture.fixture.hasSuffix(".yaml") && fixture.code != "not-utf8" {
            let text = try String(
                contentsOf: Self.brokenDirectory.appendingPathComponent(fixture.fixture), encoding: .utf8)
            for line in text.split(separator: "\n") {
                guard let range = line.range(of: "- name: ") else { continue }
                let name = String(line[range.upperBound...])
                if fixture.code != "duplicate-rule" && fixture.code != "duplicate-policy" {
                    #expect(seen[name] == nil, "'\(name)' in \(fixture.fixture) is also in \(seen[name] ?? "")")
                }
                seen[name] = fixture.fixture
            }
        }
    }
}

/// Regression tests for parser bugs found while writing the fixtures.
@Suite struct RuleDiagnosticRegressionTests {
    func diagnostics(_ text: String) -> [Diagnostic] {
        RuleSetLoader().load(text: text, file: "test.yaml").diagnostics
    }

    @Test func duplicateKeyInFlowMappingPointsAtTheRepeat() {
        let text = """
            escalation_policies:
              - name: p
                steps:
                  - { after: 0s, notify: [a], after: 5m }
            """
        let d = diagnostics(text)
        #expect(d.map(\.code) == ["duplicate-key"])
        #expect(d.first?.line == 4)
        #expect(d.first?.column == 35)
        // Not the whole file quoted in the message, as the raw Yams error did.
        #expect(d.first?.message.contains("escalation_policies") == false)
    }

    @Test func duplicateKeyInBlockMappingSkipsNestedAndOtherItems() {
        let text = """
            rules:
              - name: a
                match: []
                threshold:
                  count: 5
                  within: 1m
                count: 3
              - name: b
                match: []
                match: ['x="1"']
            """
        let d = diagnostics(text)
        #expect(d.map(\.code) == ["duplicate-key"])
        #expect(d.first?.line == 10)
        #expect(d.first?.column == 5)
        #expect(d.first?.message.contains("first at line 9") == true)
    }

    @Test(arguments: [
        "match: ['message=~\"(\"']",
        "match: ['a==\"1\"']",
        "match: { a: b }",
        "match: []\n    extract: { message: 'x(\\S+)' }",
        "match: []\n    extract: { message: '(?<a-b>x)' }",
        "kind: outage",  // no match at all
    ])
    func aRuleWithABrokenConditionIsNoCatchAll(_ condition: String) {
        let text = """
            rules:
              - name: broken
                \(condition)
              - name: later
                match: ['alertname="HostDown"']
            """
        let d = diagnostics(text)
        #expect(d.count == 1, "\(d)")
        #expect(!d.contains { $0.code == "unreachable-rule" })
    }

    @Test func aRealCatchAllStillHidesLaterRules() {
        let text = """
            rules:
              - name: everything
                match: []
                threshold: { count: 2 }
              - name: later
                match: ['alertname="HostDown"']
            """
        // The threshold is broken, not the condition: the rule still takes every event.
        #expect(diagnostics(text).map(\.code) == ["missing-key", "unreachable-rule"])
    }
}
