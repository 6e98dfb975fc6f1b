import FuzzSupport
import IncidentRules

/// A rule file (`RuleSetLoader.load(text:file:)`: the YAML reader, `RuleFileParser`, matchers, patterns,
/// templates and the whole-set checks).
enum RulesTarget {
    static let target = FuzzTarget("rules") { data in
        let result = RuleSetLoader().load(text: String(decoding: data, as: UTF8.self), file: "fuzz.yaml")
        DiagnosticProperties.check(result.diagnostics, file: "fuzz.yaml", accepted: result.ruleSet != nil)
    }
}
