import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The knowledge base end to end (SPEC §14): a rule's runbook in `show`, a review saved with `review --save`,
/// found with `kb search` and read with `kb show`, against the real daemon and its SQLite file.
@Suite(.serialized) struct KnowledgeBaseDaemonTests {
    static let rules = """
        rules:
          - name: disk-full
            match: ['alertname="DiskFull"']
            kind: degradation
            group_by: [host]
            title: 'Disk full on {{host}}'
            runbook: https://wiki.example.org/runbooks/disk-full
          - name: everything-else
            match: ['alertname=~".+"']
            runbook: kb:general-triage
        """

    @Test func aSavedReviewIsFoundAndShown() async throws {
        let daemon = try await RunningDaemon(rules: Self.rules)
        let client = try LineClient(path: daemon.ingestSocket)
        client.send(alertLine(["alertname": "DiskFull", "host": "db1"]))
        #expect(jsonObject(await client.nextLine() ?? "")["incidents"] as? [String] == ["INC-1"])

        let shown = await jsonObject(try daemon.ctl("show", "INC-1", "--json").stdout)
        #expect(shown["runbook"] as? String == "https://wiki.example.org/runbooks/disk-full")
        let text = try await daemon.ctl("show", "INC-1")
        #expect(text.stdout.contains("runbook:"), "\(text.stdout)")
        #expect(text.stdout.contains("https://wiki.example.org/runbooks/disk-full"))

        let learnings = daemon.directory.appendingPathComponent("learnings.md")
        try "- Rotate the nginx logs daily\n- Alert at 80 %, not 95 %\n".write(
            to: learnings, atomically: true, encoding: .utf8)
        let saved = try await daemon.ctl("review", "INC-1", "--save", "--learnings", learnings.path, "--by", "ann")
        #expect(saved.status == 0, "\(saved.stdout)\(saved.stderr)")
        #expect(saved.stdout.contains("inc-1-disk-full-on-db1"), "\(saved.stdout)")
        #expect(saved.stdout.contains("/kb/inc-1-disk-full-on-db1"))

        let search = try await daemon.ctl("kb", "search", "nginx")
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.contains("inc-1-disk-full-on-db1"), "\(search.stdout)")
        #expect(search.stdout.contains("[nginx]"), "\(search.stdout)")
        let byTitle = await jsonObject(try daemon.ctl("kb", "search", "disk", "ful", "--json").stdout)
        let hits = byTitle["hits"] as? [[String: Any]] ?? []
        #expect(hits.first?["slug"] as? String == "inc-1-disk-full-on-db1")
        #expect(hits.first?["incident"] as? String == "INC-1")

        let hostile = try await daemon.ctl("kb", "search", "NEAR( \" OR -x* AND title:(")
        #expect(hostile.status == 0, "\(hostile.stderr)")
        #expect(hostile.stdout.contains("no articles found"))

        let article = try await daemon.ctl("kb", "show", "inc-1-disk-full-on-db1")
        #expect(article.status == 0, "\(article.stderr)")
        #expect(article.stdout.contains("LEARNINGS"))
        #expect(article.stdout.contains("Rotate the nginx logs daily"))
        #expect(article.stdout.contains("# Post-incident review: INC-1"))
        #expect(article.stdout.contains("rule:     disk-full"), "\(article.stdout)")

        let api = try await daemon.api("/api/v1/kb/articles/inc-1-disk-full-on-db1")
        #expect(api.status == 200)
        #expect(jsonObject(api.body)["by"] as? String == "ann")
        let missing = try await daemon.ctl("kb", "show", "no-such-article")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no article"), "\(missing.stderr)")

        // A second save of the same review gets a slug of its own.
        let again = try await daemon.ctl("review", "INC-1", "--save", "--title", "INC-1: Disk full on db1")
        #expect(again.stdout.contains("inc-1-disk-full-on-db1-2"), "\(again.stdout)\(again.stderr)")
        #expect(await daemon.signal(SIGTERM) == 0)
    }
}
