import Foundation
import IncidentConfig
import IncidentCore
import IncidentEngine
import IncidentRules
import Testing

/// The rule tests shipped in `rules/tests/` (SPEC §6): they pass against the shipped rules, as
/// `incidentctl rules test --config dev/incidentd.yaml rules/tests/` runs them, and together they cover every rule.
@Suite("shipped rule tests")
struct ShippedRuleTests {
    /// `Tests/IncidentEngineTests/ShippedRuleTests.swift` → the repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let rules = root.appendingPathComponent("rules").path
    static let ruleTests = root.appendingPathComponent("rules/tests").path
    static let devConfig = root.appendingPathComponent("dev/incidentd.yaml").path

    /// The test files, as file names, for parameterised tests.
    static let testFiles: [String] = RuleSetLoader.expand([ruleTests]).map { ($0 as NSString).lastPathComponent }

    static func notifierNames() throws -> Set<String> {
        let loaded = Configuration.load(path: devConfig)
        let configuration = try #require(loaded.configuration, "\(loaded.diagnostics)")
        return Set(configuration.notifiers.map(\.name))
    }

    static func load(_ name: String) throws -> RuleTestFile {
        let path = (ruleTests as NSString).appendingPathComponent(name)
        let (file, diagnostics) = RuleTestFile.load(path: path)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description).joined(separator: "\n"))")
        return try #require(file, "\(name) does not load")
    }

    static func compile(_ paths: [String]) throws -> RuleSet {
        let loaded = RuleSetLoader(knownNotifiers: try notifierNames()).load(paths: paths)
        #expect(loaded.errors.isEmpty, "\(loaded.errors.map(\.description).joined(separator: "\n"))")
        return try #require(loaded.ruleSet)
    }

    /// Whether a test file's rule_files are exactly the shipped rules directory.
    static func testsShippedRules(_ file: RuleTestFile) -> Bool {
        file.ruleFiles.map { ($0 as NSString).standardizingPath } == [(rules as NSString).standardizingPath]
    }

    @Test func thereIsATestFileForEveryRuleFile() throws {
        let ruleFiles = RuleSetLoader.expand([Self.rules]).map { ($0 as NSString).lastPathComponent }
        #expect(!ruleFiles.isEmpty)
        #expect(
            Set(Self.testFiles) == Set(ruleFiles), "rules/tests/ holds one test file per rule file, by the same name")
    }

    @Test(arguments: ShippedRuleTests.testFiles)
    func ruleTestFilePasses(_ name: String) throws {
        let file = try Self.load(name)
        #expect(Self.testsShippedRules(file), "\(name) tests rule_files \(file.ruleFiles), not the shipped rules/")
        #expect(!file.tests.isEmpty, "\(name) has no tests")
        let ruleSet = try Self.compile(file.ruleFiles)
        let report = RuleTestRunner().run(file, ruleSet: ruleSet)
        let failures = report.failures.map { "\($0.location): \($0.test)\n  \($0.message)" }
        #expect(report.failures.isEmpty, "\(failures.count) failures:\n\(failures.joined(separator: "\n"))")
        #expect(report.passed.count == file.tests.count)
    }

    /// Every rule is named by an expected incident of some test; a dropping rule opens none, so a test named
    /// after it must send it an event it takes.
    @Test func everyShippedRuleIsCoveredByATest() throws {
        let ruleSet = try Self.compile([Self.rules])
        let files = try Self.testFiles.map(Self.load).filter(Self.testsShippedRules)
        #expect(!files.isEmpty)
        let tests = files.flatMap(\.tests)
        var expectedRules = Set<String>()
        for test in tests {
            for expectation in test.expectations {
                for incident in expectation.incidents ?? [] {
                    if let rule = incident.rule { expectedRules.insert(rule) }
                }
            }
        }
        /// The rule that takes each of a test's events, as the engine would see it at the start.
        func rulesTaking(_ test: RuleTestFile.Test) -> Set<String> {
            Set(
                test.events.compactMap { e in
                    ruleSet.classify(
                        Event(
                            labels: e.labels, annotations: e.annotations, status: e.status, source: e.source,
                            receivedAt: RuleTestRunner.epoch))?.rule.name
                })
        }

        var uncovered: [String] = []
        for rule in ruleSet.rules {
            if rule.drop {
                let named = tests.filter { $0.name.contains(rule.name) }
                if !named.contains(where: { rulesTaking($0).contains(rule.name) }) {
                    uncovered.append("\(rule.name) (drop: no test named after it sends it an event)")
                }
            } else if !expectedRules.contains(rule.name) {
                uncovered.append("\(rule.name) (no expected incident names it)")
            }
        }
        #expect(uncovered.isEmpty, "rules without a test:\n\(uncovered.joined(separator: "\n"))")
        #expect(ruleSet.rules.count > 1)
    }
}
