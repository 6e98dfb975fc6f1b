import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

/// The knowledge base in the SQLite store: articles, slugs, and the FTS5 search with its plain-text queries.
@Suite struct KnowledgeBaseTests {
    func draft(
        _ title: String, body: String = "Nothing to see.", learnings: String = "", incident: Int? = nil,
        rule: String? = nil
    ) -> KnowledgeArticleDraft {
        KnowledgeArticleDraft(
            title: title, body: body, learnings: learnings, incident: incident, rule: rule, author: "ana")
    }

    /// Debian's libsqlite3, which GRDB links here, is built with FTS5: the knowledge base's search needs it.
    @Test func theSystemSQLiteHasFTS5() async throws {
        try await withStore { store, _ in
            let options = try await store.pool.read { db in
                try String.fetchAll(db, sql: "PRAGMA compile_options")
            }
            #expect(options.contains("ENABLE_FTS5"))
        }
    }

    @Test(arguments: Backend.allCases) func saveReadAndUpdate(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let saved = try await store.saveArticle(
                draft("INC-7: Disk full on db1", body: "# Review", learnings: "Watch /var.", incident: 7, rule: "disk"),
                at: t(1))
            #expect(saved.slug == "inc-7-disk-full-on-db1")
            #expect(saved.createdAt == t(1) && saved.updatedAt == t(1))
            #expect(try await store.article(slug: saved.slug) == saved)
            #expect(try await store.article(forIncident: 7) == saved)
            #expect(try await store.articles(forRule: "disk") == [saved])
            #expect(try await store.article(forIncident: 8) == nil)

            var changed = draft("Disk full, again", body: "# Better review", learnings: "", incident: 7, rule: "disk")
            changed.author = "bo"
            let updated = try #require(try await store.updateArticle(slug: saved.slug, with: changed, at: t(5)))
            #expect(updated.slug == saved.slug)
            #expect(updated.title == "Disk full, again" && updated.body == "# Better review")
            #expect(updated.author == "ana", "the author stays the one who wrote it")
            #expect(updated.createdAt == t(1) && updated.updatedAt == t(5))
            #expect(try await store.updateArticle(slug: "nope", with: changed, at: t(6)) == nil)
            // The index follows the update: the old words are gone, the new ones found.
            #expect(try await store.search("better", limit: 10).map(\.slug) == [saved.slug])
            #expect(try await store.search("watch", limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func slugsAreUniqueAndBounded(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let first = try await store.saveArticle(draft("Disk full!"), at: t(1))
            let second = try await store.saveArticle(draft("disk   FULL"), at: t(2))
            let third = try await store.saveArticle(draft("Disk full"), at: t(3))
            #expect([first.slug, second.slug, third.slug] == ["disk-full", "disk-full-2", "disk-full-3"])
            let long = String(repeating: "x", count: 200)
            let a = try await store.saveArticle(draft(long), at: t(4))
            let b = try await store.saveArticle(draft(long), at: t(5))
            #expect(a.slug.count == 80 && b.slug.count == 80 && b.slug.hasSuffix("-2"))
            let symbols = try await store.saveArticle(draft("«»!!"), at: t(6))
            #expect(symbols.slug == "article")
            let accents = try await store.saveArticle(draft("Dépôt plein à Zürich"), at: t(7))
            #expect(accents.slug == "depot-plein-a-zurich")
            #expect(try await store.articles(limit: 3, offset: 0).map(\.slug) == [accents.slug, symbols.slug, b.slug])
            #expect(try await store.articles(limit: 2, offset: 5).map(\.slug) == ["disk-full-2", "disk-full"])
        }
    }

    @Test(arguments: Backend.allCases) func searchRanksTitleAboveBodyAndMarksMatches(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.saveArticle(
                draft("Network partition", body: "The disk was fine; the switch failed."), at: t(1))
            _ = try await store.saveArticle(draft("Disk full on db1", body: "Logs filled /var."), at: t(2))
            _ = try await store.saveArticle(draft("Certificates", body: "Nothing about storage."), at: t(3))
            let hits = try await store.search("disk", limit: 10)
            #expect(hits.map(\.slug) == ["disk-full-on-db1", "network-partition"])
            let body = try #require(hits.last)
            #expect(body.snippet.contains("The \u{E000}disk\u{E001} was fine"))
            // Diacritics fold both ways, the last word is a prefix.
            _ = try await store.saveArticle(draft("Dépôt", body: "Le dépôt est plein."), at: t(4))
            #expect(try await store.search("depot", limit: 10).map(\.slug) == ["depot"])
            #expect(try await store.search("ple", limit: 10).map(\.slug) == ["depot"])
            #expect(try await store.search("disk switch", limit: 10).map(\.slug) == ["network-partition"])
            #expect(try await store.search("disk", limit: 1).count == 1)
        }
    }

    /// The text is never FTS5 syntax: operators, quotes, parentheses and stars are only characters, and nothing
    /// the user types makes SQLite fail.
    @Test(arguments: [
        "\"", "\"\"", "*", "disk*", "NEAR(", "NEAR(disk full)", "disk OR", "OR", "AND NOT", "-disk", "- disk",
        "(disk", "disk)", "((((", "title:disk", "^disk", "disk\"full", "'", "\\", "{disk}", "a:b:c", "\u{0}",
        "🔥", "   ", "", String(repeating: "disk ", count: 2000), String(repeating: "(\"*", count: 5000),
    ])
    func hostileQueriesNeverThrow(query: String) async throws {
        for backend in Backend.allCases {
            try await hostileQueryNeverThrows(backend, query)
        }
    }

    func hostileQueryNeverThrows(_ backend: Backend, _ query: String) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.saveArticle(draft("Disk full", body: "NEAR the OR and disk full"), at: t(1))
            let hits = try await store.search(query, limit: 10)
            #expect(hits.count <= 1)
        }
    }

    @Test(arguments: Backend.allCases) func operatorsAreWords(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.saveArticle(draft("Disk full", body: "nothing else"), at: t(1))
            #expect(try await store.search("disk OR cpu", limit: 10).isEmpty, "OR is a word to find, not an operator")
            #expect(try await store.search("-disk", limit: 10).count == 1, "- is not a negation")
            #expect(try await store.search("\"disk", limit: 10).count == 1)
            #expect(try await store.search("", limit: 10).isEmpty)
            #expect(try await store.search("  ** ", limit: 10).isEmpty)
        }
    }

    @Test func queryQuotesEachWordAndPrefixesTheLast() {
        #expect(KnowledgeSearchQuery("disk full").match == "\"disk\" \"full\"*")
        #expect(KnowledgeSearchQuery("a\"b NEAR(").match == "\"a\"\"b\" \"NEAR(\"*")
        #expect(KnowledgeSearchQuery("* - \"").isEmpty)
        #expect(KnowledgeSearchQuery(String(repeating: "w ", count: 100)).terms.count == KnowledgeSearchQuery.maxTerms)
        #expect(
            KnowledgeSearchQuery(String(repeating: "w", count: 10_000)).terms == [String(repeating: "w", count: 64)])
    }

    /// A store written by the previous release gains the knowledge base and keeps everything else.
    @Test func aV6StoreGainsTheKnowledgeBase() async throws {
        try await withTemporaryDirectory { directory in
            let path = try await earlierStore(
                "v6", in: directory,
                rows: "INSERT INTO notes (id, incident, at, author, text) VALUES (1, 7, 5, 'ana', 'hi')")
            let store = try SQLiteStore(path: path)
            #expect(try await store.notes(of: 7).map(\.text) == ["hi"])
            #expect(try await store.articles(limit: 10, offset: 0).isEmpty)
            let saved = try await store.saveArticle(draft("After the upgrade"), at: t(1))
            #expect(try await store.search("upgrade", limit: 5).map(\.slug) == [saved.slug])
            try store.close()
        }
    }
}
