import IncidentRules
import Testing

/// `runbook:` on a rule (SPEC §14): a web URL or a knowledge-base article, anything else an error where it stands.
@Suite struct RunbookTests {
    func load(_ runbook: String) -> RuleSetLoader.Result {
        RuleSetLoader().load(
            text: """
                rules:
                  - name: disk
                    match: ['alertname="DiskFull"']
                    runbook: \(runbook)
                """, file: "kb.yaml")
    }

    @Test(arguments: [
        ("https://wiki.example.org/runbooks/disk-full", Runbook.url("https://wiki.example.org/runbooks/disk-full")),
        ("http://wiki/r?a=1&b=2#top", .url("http://wiki/r?a=1&b=2#top")),
        ("HTTPS://Wiki.Example.org/R", .url("HTTPS://Wiki.Example.org/R")),
        ("kb:disk-full", .article("disk-full")),
        ("kb:inc-7-disk-full-on-db1", .article("inc-7-disk-full-on-db1")),
    ])
    func good(text: String, runbook: Runbook) throws {
        let result = load(text)
        #expect(result.errors.isEmpty, "\(result.diagnostics)")
        let rule = try #require(result.ruleSet?.rules.first)
        #expect(rule.runbook == runbook)
        #expect(rule.runbook?.text == text)
    }

    @Test(arguments: [
        "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "/runbooks/disk", "runbooks/disk",
        "'https://wiki/a b'", "https://", "http:///path", "ftp://wiki/r", "kb:", "kb:Disk_Full", "kb:../etc",
        "'kb:disk full'", "'https://wiki/\"><script>'", "mailto:ops@example.org", "'//wiki/r'",
    ])
    func bad(text: String) {
        let result = load(text)
        #expect(result.ruleSet == nil)
        let error = result.errors.first
        #expect(error?.code == "bad-runbook")
        #expect(error?.file == "kb.yaml")
        #expect(error?.line == 4)
        #expect(error?.column == 14)
        #expect(error?.message.contains("runbook: kb:disk-full") == true)
    }

    @Test func notAString() {
        let result = load("[a, b]")
        #expect(result.errors.first?.code == "wrong-type")
        #expect(result.errors.first?.line == 4)
    }

    @Test func absentIsNil() throws {
        let result = RuleSetLoader().load(text: "rules:\n  - name: a\n    match: []\n", file: "a.yaml")
        #expect(try #require(result.ruleSet).rules.first?.runbook == nil)
    }
}
