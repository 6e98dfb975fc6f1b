import IncidentClient
import IncidentCore
import Testing

/// `incidentctl silence add`'s matchers and times, and the usage errors for bad ones.
@Suite struct SilenceArgumentTests {
    static let now = Timestamp(rfc3339: "2026-11-22T07:00:00Z")!

    @Test(
        arguments: [
            ("alertname=DiskFull", SilenceMatcher(name: "alertname", value: "DiskFull")),
            (#"host="db 7""#, SilenceMatcher(name: "host", value: "db 7")),
            (#"host=~"db.*""#, SilenceMatcher(name: "host", value: "db.*", isRegex: true)),
            ("env!=prod", SilenceMatcher(name: "env", value: "prod", isEqual: false)),
            (#"env!~"prod|stage""#, SilenceMatcher(name: "env", value: "prod|stage", isRegex: true, isEqual: false)),
            (#"msg="say \"hi\"\n""#, SilenceMatcher(name: "msg", value: "say \"hi\"\n")),
            (" job = node ", SilenceMatcher(name: "job", value: "node")),
            ("empty=", SilenceMatcher(name: "empty", value: "")),
            ("a=b=c", SilenceMatcher(name: "a", value: "b=c")),
        ])
    func matchersParseInAlertmanagersSyntax(text: String, matcher: SilenceMatcher) throws {
        #expect(try SilenceMatcher(parsing: text) == matcher)
        // What `text` prints parses back to the same matcher.
        #expect(try SilenceMatcher(parsing: matcher.text) == matcher)
    }

    @Test(arguments: ["alertname", "=x", "1abc=x", #"a="open"#, #"a=x"y"#, "a=~(", "a b=c"])
    func badMatchersAreRefused(text: String) {
        #expect(throws: SilenceMatcherError.self) { try SilenceMatcher(parsing: text) }
    }

    @Test func aBraceSetIsSeveralMatchers() throws {
        let list = try SilenceMatcher.parseList([#"{alertname="A,B", host=~"db.*"}"#, "env=prod"])
        #expect(list.map(\.name) == ["alertname", "host", "env"])
        #expect(list[0].value == "A,B")
    }

    @Test func regexesAreAnchoredAndAbsentLabelsMatchTheEmptyString() {
        let regex = SilenceMatcher(name: "host", value: "db.", isRegex: true)
        #expect(regex.matches(labelValue: "db1"))
        #expect(!regex.matches(labelValue: "db12"))
        #expect(!regex.matches(labelValue: nil))
        #expect(SilenceMatcher(name: "x", value: "", isEqual: true).matches(labelValue: nil))
        #expect(SilenceMatcher(name: "x", value: "a", isEqual: false).matchesEmpty)
    }

    @Test func durationAndUntilSetTheEnd() throws {
        let byDuration = try SilenceArguments.silence(
            matchers: ["alertname=DiskFull"], duration: "2h", until: nil, starts: nil, comment: "resizing", by: "ana",
            now: Self.now)
        #expect(byDuration.startsAt == Self.now)
        #expect(byDuration.endsAt == Self.now + .seconds(7200))
        #expect(byDuration.createdBy == "ana")
        #expect(byDuration.id == nil)

        let later = try SilenceArguments.silence(
            matchers: ["a=b"], duration: "30m", until: nil, starts: "2026-11-23T00:00:00Z", comment: "c", by: "ana",
            now: Self.now)
        #expect(later.endsAt == Timestamp(rfc3339: "2026-11-23T00:30:00Z"))

        let until = try SilenceArguments.silence(
            matchers: [], extra: [SilenceMatcher(name: "host", value: "db1")], duration: nil,
            until: "2026-11-22T18:00:00Z", starts: nil, comment: "c", by: "ana", now: Self.now)
        #expect(until.endsAt == Timestamp(rfc3339: "2026-11-22T18:00:00Z"))
        #expect(until.matchers == [SilenceMatcher(name: "host", value: "db1")])
    }

    @Test(
        arguments: [
            ([], "2h", nil, nil, "c", "name at least one MATCHER"),
            (["a=b"], nil, nil, nil, "c", "say how long"),
            (["a=b"], "2h", "2026-11-22T18:00:00Z", nil, "c", "exclude each other"),
            (["a=b"], "soon", nil, nil, "c", "--duration 'soon' is not a positive duration"),
            (["a=b"], nil, "tomorrow", nil, "c", "--until 'tomorrow' is not an RFC 3339 time"),
            (["a=b"], "2h", nil, "now", "c", "--starts 'now' is not an RFC 3339 time"),
            (["a=b"], "2h", nil, nil, " ", "--comment is empty"),
            (["a=~.*"], "2h", nil, nil, "c", "mute everything"),
            (["a=b"], nil, "2026-11-22T06:00:00Z", "2026-11-22T05:00:00Z", "c", "in the past"),
            (["a=b"], nil, "2026-11-22T06:00:00Z", nil, "c", "before startsAt"),
            (["nope"], "2h", nil, nil, "c", "has no operator"),
            (["=x"], "2h", nil, nil, "c", "is not a matcher"),
        ] as [([String], String?, String?, String?, String, String)])
    func badSilenceArgumentsAreUsageErrors(
        matchers: [String], duration: String?, until: String?, starts: String?, comment: String, message: String
    ) {
        do {
            _ = try SilenceArguments.silence(
                matchers: matchers, duration: duration, until: until, starts: starts, comment: comment, by: "ana",
                now: Self.now)
            Issue.record("accepted \(matchers)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func fromTakesTheIncidentsCommonLabels() throws {
        var incident = Fixtures.incident(7)
        incident.labels = ["host": "db7", "alertname": "HostDown"]
        #expect(
            try SilenceArguments.matchers(from: incident) == [
                SilenceMatcher(name: "alertname", value: "HostDown"), SilenceMatcher(name: "host", value: "db7"),
            ])
        incident.labels = [:]
        #expect(throws: UsageError.self) { try SilenceArguments.matchers(from: incident) }
    }

    @Test func hostileTextIsEscapedForTheTerminal() {
        #expect(
            TerminalText.safe("ok\u{1B}]0;owned\u{07}\r\n\u{202E}x") == "ok\\u{1b}]0;owned\\u{7}\\u{d}\\u{a}\\u{202e}x")
        #expect(TerminalText.safe("Grüße ✓") == "Grüße ✓")
    }
}
