import Foundation
import TestSupport
import Testing

@testable import IncidentRules

/// The matcher that spares ICU for literal text and runs of one class (`LinearPattern`) must give exactly what
/// ICU gives: the same match or none, the same groups' text, anchored or not. What it cannot decide, it says so,
/// and ICU answers.
@Suite struct LinearPatternTests {
    @Test(arguments: [
        #"ALERT status=firing fp=(?<fp>\w+) alertname=(?<alertname>\S+) service=(?<service>\S+)"#,
        #"Killed (?<cgroup>\S+) due to"#, #"Invalid user (?<invalid_user>\S+) from (?<src_ip>\S+)"#,
        #"Killed process \d+ \((?<process>[^)]+)\)"#, #"(?<user>[^\s:]+) : \d+ incorrect password attempt"#,
        #"failures for user (?<user>\S+) account temporarily locked"#, #"user=(?P<user>[a-z0-9_-]*)"#,
        #"code \d\d\d"#, #"(?<a>\S+)\s+(?<b>\S+)"#, #"(?<key>\w+)=(?<value>[^ ]*) (?<n>\d+)\s"#, #"(?<rest>.*)"#,
        #"[0-9.]+:\d+"#, #"a\.b\-c\ d"#,
    ])
    func theShapesItTakes(_ source: String) throws {
        #expect(try Pattern(source, anchored: false).isLinear)
    }

    @Test(arguments: [
        // A run before text its class can start, before a class it shares a character with, or before one that may
        // be empty: more than one way to split the value.
        #"(?<name>\w+)_x"#, #"(?<all>.*) from"#, #"\w+\d+"#, #"\S+\s*x"#, #"[a-c]+[c-e]"#,
        // What it does not parse: optional parts, counts, laziness, alternation, flags, other groups, anchors,
        // escapes that are not punctuation, nested or operated brackets, POSIX classes.
        #"colou?r"#, #"\d{3}"#, #"(?<u>\S+?) x"#, #"a|b"#, #"(?i)disk"#, #"(?:x)"#, #"(x)"#, #"^x"#, #"x$"#,
        #"\bword"#, #"(?<u>[a-z]\w*)"#, #"\x41"#, #"[[a-z]]"#, #"[a-z&&[^c]]"#, #"[:alpha:]"#, #"[\p{L}]+"#, #"\S++ x"#,
        "é+",
    ])
    func theShapesItLeavesToICU(_ source: String) throws {
        #expect(try !Pattern(source, anchored: false).isLinear)
    }

    @Test func theJournalBenchmarksExtract() throws {
        let pattern = try Pattern(
            #"ALERT status=firing fp=(?<fp>\w+) alertname=(?<alertname>\S+) service=(?<service>\S+)"#,
            anchored: false)
        let line = "ALERT status=firing fp=a1b2 alertname=HighCPU service=api instance=web1:9100 seq=7"
        let captures = try #require(pattern.captures(in: line))
        #expect(captures.map(\.0) == ["fp", "alertname", "service"])
        #expect(captures.map(\.1) == ["a1b2", "HighCPU", "api"])
        #expect(pattern.captures(in: "ALERT status=resolved fp=a1b2 alertname=HighCPU service=api") == nil)
        // A first occurrence of the leading text that fails, then one that matches.
        let twice = "ALERT status=firing fp=!! ALERT status=firing fp=x alertname=A service=b"
        #expect(try #require(pattern.captures(in: twice)).map(\.1) == ["x", "A", "b"])
    }

    /// Non-ASCII met by a class, a value longer than ICU is shown, a search past its budget: ICU decides, and the
    /// answer is ICU's.
    @Test func whatItCannotDecideGoesToICU() throws {
        let user = try Pattern(#"user=(?<user>\S+) from"#, anchored: false)
        let linear = try #require(LinearPattern(#"user=(?<user>\S+) from"#, anchored: false))
        #expect(linear.firstMatch(in: "user=jösé from x", capturing: true) == .undecided)
        #expect(try #require(user.captures(in: "user=jösé from x")).map(\.1) == ["jösé"])
        // Non-ASCII that only literal text meets is decided: it is not that text.
        #expect(linear.firstMatch(in: "usér=x from", capturing: true) == .noMatch)
        #expect(linear.firstMatch(in: "ü user=x from", capturing: true) == .match(["x"]))

        let long = String(repeating: "x", count: Pattern.maxRegexInput) + " user=a from"
        #expect(linear.firstMatch(in: long, capturing: true) == .undecided)
        #expect(user.captures(in: long) == nil)  // past what ICU is shown, as before

        // Each `a` starts a run to the end of the line: 2 million steps in all, past the budget.
        let quadratic = try #require(LinearPattern(#"a(?<x>\w+)-"#, anchored: false))
        let line = String(repeating: "a", count: 2000)
        #expect(quadratic.firstMatch(in: line, capturing: true) == .undecided)
        #expect(try Pattern(#"a(?<x>\w+)-"#, anchored: false).captures(in: line) == nil)
        #expect(quadratic.firstMatch(in: line + "-", capturing: true) == .match([String(line.dropFirst())]))
    }

    /// ICU's own path gave no text for a group ending inside a character of two scalars (the `\r` of `\r\n`),
    /// as if it had not matched; the random comparison found it. Both paths now give the group.
    @Test func aGroupEndingInsideACharacterIsKeptOnICUsPathToo() throws {
        let viaICU = try Pattern(#"(?<cr>\r)(?:\n)"#, anchored: false)
        #expect(!viaICU.isLinear)
        #expect(try #require(viaICU.captures(in: "x\r\ny")).map(\.1) == ["\r"])
        let linear = try Pattern(#"x(?<cr>\s)"#, anchored: false)
        #expect(linear.isLinear)
        #expect(try #require(linear.captures(in: "x\r\ny")).map(\.1) == ["\r"])
        #expect(try #require(linear.regexCaptures(in: "x\r\ny")).map(\.1) == ["\r"])
    }

    @Test func anchoredItMustCoverTheWholeValue() throws {
        let linear = try #require(LinearPattern(#"web\d+:(?<port>\d+)"#, anchored: true))
        #expect(linear.firstMatch(in: "web12:9100", capturing: true) == .match(["9100"]))
        #expect(linear.firstMatch(in: "web12:9100x", capturing: true) == .noMatch)
        #expect(linear.firstMatch(in: "xweb12:9100", capturing: true) == .noMatch)
        #expect(linear.firstMatch(in: "web12:9100\n", capturing: true) == .noMatch)
        #expect(try !Pattern(#"web\d+:(?<port>\d+)"#, anchored: true).matches("web12:9100\n"))
    }

    /// Random patterns from the pieces the matcher takes (and some it does not), on random values with ASCII,
    /// line breaks and non-ASCII, against ICU on the same pattern; the count of values it decided itself shows the
    /// comparison is not vacuous.
    @Test func answersAsICUOnRandomPatternsAndValues() throws {
        var random = SeededRandom(seed: 0x1D_5EED)
        let literals = [
            "fp=", " ", "a", "=", ":", "-", "x y", "ab", "\\.", "\\(", "\\)", "_", "1", "\\<", "\\>", "\\#",
            "\\ ", "\\-", "\\/", "\\@", "\\%", "\\~", "\\'", "\\\"", "\\!", "\\&", "\\,", "\\;", "\\]", "\\}",
            "#", "<", "'",
        ]
        let classes = [
            #"\w"#, #"\S"#, #"\d"#, #"\s"#, #"\W"#, #"\D"#, "[^ ]", "[a-c]", "[^=]", ".", "[^)]", #"[\s:]"#,
            #"[a-c\d]"#, #"[\-x]"#, #"[\]a]"#, #"[^\]]"#, "[-a]", "[a-]", "[^-]", "[ #]", #"[\w.-]"#, "[^:]", "[$^]",
            "[<>]",
        ]
        let quantifiers = ["", "+", "*", "+", "+"]
        let alphabet = [
            "a", "b", "c", "x", "y", "_", "1", "9", " ", " ", "=", ":", "-", ".", "(", ")", "\t", "\n", "\r", "é", "٣",
            "\u{A0}", "\u{2028}", "fp=", "ab", "x y", "<", ">", "#", "]", "}", "'", "\"", "$", "^", "@", "%", "\0",
            "\u{1F4DF}",
        ]
        var linearPatterns = 0
        var decided = 0
        var matched = 0
        for _ in 0..<1_500 {
            var source = ""
            var group = 0
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                if Int.random(in: 0...2, using: &random) == 0 {
                    source += literals.randomElement(using: &random)!
                } else {
                    let run =
                        classes.randomElement(using: &random)!
                        + quantifiers.randomElement(using: &random)!
                    if Int.random(in: 0...1, using: &random) == 0 {
                        source += "(?<g\(group)>\(run))"
                        group += 1
                    } else {
                        source += run
                    }
                }
            }
            let anchored = Int.random(in: 0...3, using: &random) == 0
            let pattern = try Pattern(source, anchored: anchored)
            // Literal text alone, and `.*`, have their own shapes (PatternFastPathTests).
            guard pattern.isLinear else { continue }
            let linear = try #require(LinearPattern(source, anchored: anchored))
            linearPatterns += 1
            for _ in 0..<40 {
                var value = ""
                for _ in 0..<Int.random(in: 0...12, using: &random) {
                    value += alphabet.randomElement(using: &random)!
                }
                let outcome = linear.firstMatch(in: value, capturing: true)
                let reference = pattern.regexCaptures(in: value)
                switch outcome {
                case .undecided: continue
                case .noMatch: #expect(reference == nil, "'\(source)' on \(value.debugDescription): ICU matches")
                case .match(let texts):
                    matched += 1
                    let icu = String(describing: reference?.map(\.1))
                    #expect(
                        reference?.map(\.1) == texts, "'\(source)' on \(value.debugDescription): \(texts), ICU \(icu)")
                }
                decided += 1
                #expect(pattern.captures(in: value)?.map(\.1) == reference?.map(\.1))
                #expect(pattern.matches(value) == pattern.regexMatches(value))
            }
        }
        #expect(linearPatterns > 400, "\(linearPatterns) of 1,500 random patterns taken")
        #expect(decided > 15_000 && matched > 2_500, "decided \(decided), matched \(matched)")
    }
}
