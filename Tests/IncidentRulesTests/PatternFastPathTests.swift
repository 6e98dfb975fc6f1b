import Testing

@testable import IncidentRules

/// Patterns decided without the regex engine must answer as the regex engine does.
@Suite struct PatternFastPathTests {
    static let sources = [
        ".*", ".+", "abc", "a|b|cc", "(a|b)", "(?:x|yy)", ".*foo.*", "foo.*", ".*foo",
        ".*(Intrusion|BruteForce|Unauthorised).*", ".*(a|bc).*",
    ]
    static let values = [
        "", "a", "b", "cc", "abc", "xabcx", "foo", "xfoo", "foox", "xfooy", "yy", "x", "BruteForceSSH",
        "NoIntrusionHere", "Unauthorized", "zz bc zz",
    ]

    @Test(arguments: sources)
    func fastShapesMatchAsTheRegexDoes(_ source: String) throws {
        let pattern = try Pattern(source, anchored: true)
        let regex = try Regex("^(?:\(source))$")
        for value in Self.values {
            #expect(pattern.matches(value) == ((try? regex.firstMatch(in: value)) != nil), "\(source) on '\(value)'")
        }
    }
}
