import Foundation
import GRDB
import IncidentCore

/// The knowledge base (SPEC §14) in the same file as the incidents: `kb_articles` and its FTS5 index `kb_fts`
/// (migration v7), kept in step by triggers inside each write's transaction.
extension SQLiteStore: KnowledgeBaseStore {
    /// The weights of `bm25()` for title, body and learnings: a word in the title counts ten times one in the
    /// body, learnings twice.
    static let searchWeights = "10.0, 1.0, 2.0"
    /// How many tokens a snippet shows around the best match.
    static let snippetTokens = 24

    public func saveArticle(_ draft: KnowledgeArticleDraft, at time: Timestamp) async throws -> KnowledgeArticle {
        try await write("save a knowledge-base article in") { db in
            let base = KnowledgeArticle.slug(fromTitle: draft.title)
            var attempt = 1
            var slug = base
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM kb_articles WHERE slug = ?", arguments: [slug]) != nil {
                attempt += 1
                slug = KnowledgeArticle.slug(base, attempt: attempt)
            }
            let article = KnowledgeArticle(draft, slug: slug, at: time)
            try db.execute(
                sql: """
                    INSERT INTO kb_articles (slug, title, body, learnings, incident, rule, author, created_at,
                        updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    article.slug, article.title, article.body, article.learnings, article.incident, article.rule,
                    article.author, article.createdAt.microseconds, article.updatedAt.microseconds,
                ])
            return article
        }
    }

    public func updateArticle(slug: String, with draft: KnowledgeArticleDraft, at time: Timestamp) async throws
        -> KnowledgeArticle?
    {
        try await write("update the knowledge-base article \(slug) in") { db in
            try db.execute(
                sql: """
                    UPDATE kb_articles SET title = ?, body = ?, learnings = ?, incident = ?, rule = ?, updated_at = ?
                    WHERE slug = ?
                    """,
                arguments: [
                    draft.title, draft.body, draft.learnings, draft.incident, draft.rule, time.microseconds, slug,
                ])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM kb_articles WHERE slug = ?", arguments: [slug])
                .map(self.article(from:))
        }
    }

    public func article(slug: String) async throws -> KnowledgeArticle? {
        try await read("read the knowledge-base article \(slug) from") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM kb_articles WHERE slug = ?", arguments: [slug])
                .map(self.article(from:))
        }
    }

    public func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle] {
        guard limit > 0 else { return [] }
        return try await read("list the knowledge-base articles in") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM kb_articles ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: [limit, max(0, offset)]
            ).map(self.article(from:))
        }
    }

    public func search(_ text: String, limit: Int) async throws -> [KnowledgeSearchHit] {
        let query = KnowledgeSearchQuery(text)
        guard !query.isEmpty, limit > 0 else { return [] }
        let sql = """
            SELECT a.slug, a.title, a.incident, a.updated_at,
                snippet(kb_fts, -1, ?, ?, '…', \(Self.snippetTokens)) AS snippet
            FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid
            WHERE kb_fts MATCH ?
            ORDER BY bm25(kb_fts, \(Self.searchWeights)), a.updated_at DESC, a.id DESC
            LIMIT ?
            """
        let arguments: StatementArguments = [
            String(KnowledgeSearchHit.matchStart), String(KnowledgeSearchHit.matchEnd), query.match, limit,
        ]
        return try await read("search the knowledge base in") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                KnowledgeSearchHit(
                    slug: row["slug"], title: row["title"], snippet: row["snippet"] ?? "", incident: row["incident"],
                    updatedAt: self.time(row, "updated_at"))
            }
        }
    }

    public func articles(forRule rule: String) async throws -> [KnowledgeArticle] {
        try await read("read the knowledge-base articles of rule \(rule) from") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM kb_articles WHERE rule = ? ORDER BY updated_at DESC, id DESC",
                arguments: [rule]
            ).map(self.article(from:))
        }
    }

    public func article(forIncident incident: Int) async throws -> KnowledgeArticle? {
        try await read("read the knowledge-base article of incident \(incident) from") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM kb_articles WHERE incident = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
                arguments: [incident]
            ).map(self.article(from:))
        }
    }

    func article(from row: Row) -> KnowledgeArticle {
        KnowledgeArticle(
            slug: row["slug"], title: row["title"], body: row["body"], learnings: row["learnings"],
            incident: row["incident"], rule: row["rule"], author: row["author"],
            createdAt: time(row, "created_at"), updatedAt: time(row, "updated_at"))
    }
}
