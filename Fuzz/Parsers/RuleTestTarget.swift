import FuzzSupport
import IncidentRules

/// A rule test file (`RuleTestFile.load(path:)`, `incidentctl rules test`); the rule files it names are not read.
enum RuleTestTarget {
    static let target = FuzzTarget("rule-test") { data in
        YAMLFile.with(data) { path in
            let (file, diagnostics) = RuleTestFile.load(path: path)
            DiagnosticProperties.check(diagnostics, file: path, accepted: file != nil)
        }
    }
}
