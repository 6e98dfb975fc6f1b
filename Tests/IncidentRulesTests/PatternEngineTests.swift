import Testing

@testable import IncidentRules

/// Patterns that reach the regex engine (ICU) answer as Swift's `Regex` does on the same source, including the
/// `.*BODY.*` shortcut, which is only taken on values without line breaks.
@Suite struct PatternEngineTests {
    static let sources = [
        #".*(I/O|medium|target|transport|nexus) error,? (on )?dev .*"#,
        #"EXT4-fs error .*|XFS \([^)]+\): .*([Ee]rror|[Cc]orrupt).*|BTRFS (error|critical) .*"#,
        #"Failed password for .* from .*"#,
        #"pam_unix\([^)]*:account\): (account .* has expired|expired password for user ).*"#,
        #".* : [0-9]+ incorrect password attempts? ;.*"#,
        #".*(Remounting filesystem read-only|[Ss]hutting down filesystem).*"#,
        #".*a|b.*"#, #".*(a)|(b).*"#, #".*fo+\.*"#, #".*[|]x.*"#, #".*\|x.*"#, #"(?i).*disk FULL.*"#,
        #"(?s).*dumped core.*"#, #".*\d{3}.*"#,
    ]
    static let values = [
        "", "a", "b", "ab", "ba", "xa", "bx", "fooo...", "fo", "a|x", "|x", "x|x y", "The disk is full now",
        "blk_update_request: I/O error, dev sdb, sector 123456 op 0x0:(READ)",
        "Buffer I/O error on dev sda1, logical block 0", "myapp[12]: error while handling request 42",
        "Failed password for invalid user admin from 10.0.0.5 port 22 ssh2", "Failed password for root",
        "EXT4-fs error (device sda1): ext4_find_entry", "XFS (dm-0): Corruption detected", "BTRFS critical x",
        "pam_unix(sshd:account): account bob has expired (account expired)",
        "alice : 3 incorrect password attempts ; TTY=pts/0", "Remounting filesystem read-only",
        "Process 12 (x) dumped core.\n\nStack trace", "line one\nI/O error, dev sdb", "a\u{2028}b", "code 404\r",
    ]

    @Test(arguments: sources)
    func answersAsSwiftRegexDoes(_ source: String) throws {
        let pattern = try Pattern(source, anchored: true)
        let reference = try Regex("^(?:\(source))$")
        for value in Self.values {
            let expected = (try? reference.wholeMatch(in: value)) != nil
            #expect(pattern.matches(value) == expected, "\(source) on \(value.debugDescription)")
        }
    }

    @Test func searchShortcutOnlyForAWholeBody() {
        #expect(Pattern.searchBody(".*(a|b) c.*") == "(a|b) c")
        #expect(Pattern.searchBody(".*[|]x.*") == "[|]x")
        #expect(Pattern.searchBody(".*a|b.*") == nil)
        #expect(Pattern.searchBody(".*(a)|(b).*") == nil)
        #expect(Pattern.searchBody(".*a)(.*") == nil)
        #expect(Pattern.searchBody(".*fo+\\.*") == nil)
        #expect(Pattern.searchBody(".*x") == nil)
    }

    @Test func lineBreaksKeepTheFullExpression() throws {
        let pattern = try Pattern(".*I/O error.*", anchored: false)
        #expect(pattern.matches("x\nI/O error"))
        let anchored = try Pattern(".*(I/O|medium) error.*", anchored: true)
        #expect(anchored.matches("medium error here"))
        #expect(!anchored.matches("first line\nmedium error here"))
        #expect(!anchored.matches("medium error\u{2028}next"))
        #expect(Pattern.hasLineBreak("a\u{85}b"))
        #expect(!Pattern.hasLineBreak("plain ünïcödé text"))
    }

    @Test func namedCapturesInBothSpellings() throws {
        let pattern = try Pattern(
            #"Failed password for (invalid user )?(?<user>\S+) from (?P<addr>[0-9.]+)"#, anchored: false)
        let captures = try #require(pattern.captures(in: "sshd: Failed password for root from 10.1.2.3 port 22"))
        #expect(captures.map(\.0) == ["user", "addr"])
        #expect(captures.map(\.1) == ["root", "10.1.2.3"])
        #expect(pattern.captures(in: "Accepted password for root") == nil)
        let optional = try Pattern(#"x(?<a>1)?(?<b>2)"#, anchored: false)
        #expect(try #require(optional.captures(in: "x2")).map(\.0) == ["b"])
    }

    @Test func anchoringCoversTheWholeValue() throws {
        let pattern = try Pattern("disk (full|gone)", anchored: true)
        #expect(pattern.matches("disk full"))
        #expect(!pattern.matches("disk full\n"))
        #expect(!pattern.matches("the disk full"))
    }

    @Test func aBrokenExpressionSaysSo() {
        #expect {
            _ = try Pattern("(unclosed", anchored: true)
        } throws: { error in
            (error as? PatternError)?.message == "'(unclosed': expected ')'"
        }
    }

    /// A backtracking pattern on a crafted value ran until ICU's own limit (2 to 4 s per value here): a few such
    /// lines held the engine past the watchdog. Now the match is abandoned as no match and counted.
    @Test func aCatastrophicMatchIsAbandonedAsNoMatchAndCounted() throws {
        let pattern = try Pattern("(a+)+b", anchored: true)
        let before = Pattern.timeouts
        #expect(!pattern.matches(String(repeating: "a", count: 40) + "b!"))
        // At least this one (the counter is shared with every test running in parallel).
        #expect(Pattern.timeouts >= before + 1)
        // A value the same pattern matches at once is not affected.
        #expect(pattern.matches("aaab"))
    }

    @Test func theRegexSeesTheFirst16KiOfAValue() throws {
        let pattern = try Pattern("x*END", anchored: false)
        #expect(pattern.matches(String(repeating: "x", count: 100) + "END"))
        #expect(!pattern.matches(String(repeating: "x", count: Pattern.maxRegexInput) + "END"))
    }
}
