import Foundation
import Testing

@testable import IncidentRules

/// A source with a `)` that has no `(` compiles, because anchoring wraps it in `\A(?:...)\z` and the `)` closes
/// that group; the required-literal prefilter once read such a source as if it had no top-level alternation and
/// refused values the regex matches. Found by fuzzing (Fuzz/regressions/pattern/).
///
/// ICU's classes nest, so `[[09]:+(AA8-9]` is one class and the `(` in it opens no group; the prefilter read the
/// class as ending at the first `]`, took the `|` after it as inside a group, and refused the empty value that the
/// pattern's `.*` alternative matches (Fuzz/regressions/pattern/nested-class-required-literal).
@Suite struct UnbalancedPatternTests {
    @Test(arguments: [
        ".*c)||a.b(8b2", "x)|(abc", "abc)|(?:zzz", "12 :%[[09]:+(AA8-9]+c|.*", "abc[[x](]|zzz", "abc[]x(]|zzz",
    ])
    func thePrefilterAgreesWithTheRegex(_ source: String) throws {
        #expect(Pattern.requiredLiteral(source) == nil)
        let pattern = try Pattern(source, anchored: true)
        let regex = try NSRegularExpression(pattern: "\\A(?:\(source))\\z")
        for value in ["\u{1}criti\0", "x", "abc", "zzz", "", "12 :%(c"] {
            let expected =
                regex.firstMatch(in: value, range: NSRange(location: 0, length: value.utf16.count)) != nil
            #expect(pattern.matches(value) == expected, "'\(source)' on '\(value)'")
        }
    }
}

/// The renaming of named groups follows ICU's nested classes too: a `(?<x>` inside one is text.
@Suite struct NestedClassTests {
    @Test func aGroupSpellingInsideANestedClassIsNotRenamed() throws {
        #expect(Pattern.captureNames(in: "[[a](?<x>]+(?<y>b)") == ["y"])
        let pattern = try Pattern("[[a](?<x>]+(?<y>b)", anchored: false)
        #expect(try #require(pattern.captures(in: "a<x>?b")).map(\.1) == ["b"])
        #expect(Pattern.searchBody(".*[[a]|]x.*") == nil)
    }
}
