import IncidentRules
import Testing

/// A rule test file with no document in it (empty, or only comments) used to be refused without a diagnostic, so
/// `incidentctl rules test` printed "the test file has errors" and no error. Found by fuzzing
/// (Fuzz/regressions/rule-test/).
@Suite struct EmptyRuleTestFileTests {
    @Test(arguments: ["", "\n", "# nothing but a comment\n"])
    func anEmptyTestFileSaysWhatItLacks(_ text: String) throws {
        let path = try HostileFileTests.write(text, name: "empty-test.yaml")
        let (file, diagnostics) = RuleTestFile.load(path: path)
        #expect(file == nil)
        #expect(diagnostics.map(\.code) == ["missing-key"])
        #expect(diagnostics.allSatisfy { $0.severity == .error && $0.file == path && $0.line == 1 })
    }
}
