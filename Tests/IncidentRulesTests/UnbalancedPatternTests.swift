import Foundation
import Testing

@testable import IncidentRules

/// A source with a `)` that has no `(` compiles, because anchoring wraps it in `\A(?:...)\z` and the `)` closes
/// that group; the required-literal prefilter once read such a source as if it had no top-level alternation and
/// refused values the regex matches. Found by fuzzing (Fuzz/regressions/pattern/).
@Suite struct UnbalancedPatternTests {
    @Test(arguments: [".*c)||a.b(8b2", "x)|(abc", "abc)|(?:zzz"])
    func thePrefilterAgreesWithTheRegex(_ source: String) throws {
        #expect(Pattern.requiredLiteral(source) == nil)
        let pattern = try Pattern(source, anchored: true)
        let regex = try NSRegularExpression(pattern: "\\A(?:\(source))\\z")
        for value in ["\u{1}criti\0", "x", "abc", "zzz", ""] {
            let expected =
                regex.firstMatch(in: value, range: NSRange(location: 0, length: value.utf16.count)) != nil
            #expect(pattern.matches(value) == expected, "'\(source)' on '\(value)'")
        }
    }
}
