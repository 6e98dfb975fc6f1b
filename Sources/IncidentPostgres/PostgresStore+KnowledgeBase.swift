import Foundation
import IncidentCore
import PostgresNIO

/// The knowledge base (SPEC §14) in PostgreSQL: `kb_articles` with a generated, GIN-indexed `tsvector` column
/// (title weighted A, learnings B, body D) over a configuration that folds diacritics.
extension PostgresStore: KnowledgeBaseStore {
    /// `ts_rank`'s weights for D, C, B, A: a word in the title counts ten times one in the body, learnings twice,
    /// as the SQLite store's bm25 weights.
    static let rankWeights = "'{0.1, 0.0, 0.2, 1.0}'"
    /// How many words a snippet shows around the best match.
    static let snippetWords = 24

    public func saveArticle(_ draft: KnowledgeArticleDraft, at time: Timestamp) async throws -> KnowledgeArticle {
        try await write("save a knowledge-base article in") { connection in
            let base = KnowledgeArticle.slug(fromTitle: draft.title)
            // Race-free against another instance saving the same title: a taken slug inserts nothing, and the
            // next suffix is tried.
            for attempt in 1...10_000 {
                let slug = attempt == 1 ? base : KnowledgeArticle.slug(base, attempt: attempt)
                let article = KnowledgeArticle(draft, slug: slug, at: time)
                var sql = SQL(
                    "INSERT INTO kb_articles (slug, title, body, learnings, incident, rule, author, created_at, "
                        + "updated_at) VALUES (")
                let values = [
                    sql.bind(article.slug), sql.bind(article.title), sql.bind(article.body),
                    sql.bind(article.learnings), sql.bind(article.incident.map(Int64.init)), sql.bind(article.rule),
                    sql.bind(article.author), sql.bind(article.createdAt.microseconds),
                    sql.bind(article.updatedAt.microseconds),
                ]
                sql.text += values.joined(separator: ", ") + ") ON CONFLICT (slug) DO NOTHING RETURNING id"
                if try await !connection.rows(sql, logger: self.logger).isEmpty { return article }
            }
            throw StoreError(
                .other, store: self.address,
                message: "cannot find a free slug for the article \"\(draft.title.prefix(80))\" in \(self.address).")
        }
    }

    public func updateArticle(slug: String, with draft: KnowledgeArticleDraft, at time: Timestamp) async throws
        -> KnowledgeArticle?
    {
        var sql = SQL("UPDATE kb_articles SET ")
        sql.text +=
            "title = \(sql.bind(draft.title)), body = \(sql.bind(draft.body)), "
            + "learnings = \(sql.bind(draft.learnings)), incident = \(sql.bind(draft.incident.map(Int64.init))), "
            + "rule = \(sql.bind(draft.rule)), updated_at = \(sql.bind(time.microseconds)) "
            + "WHERE slug = \(sql.bind(slug)) RETURNING *"
        return try await write("update the knowledge-base article \(slug) in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first.map(self.article(from:))
        }
    }

    public func article(slug: String) async throws -> KnowledgeArticle? {
        var sql = SQL("SELECT * FROM kb_articles WHERE slug = ")
        sql.text += sql.bind(slug)
        return try await read("read the knowledge-base article \(slug) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first.map(self.article(from:))
        }
    }

    public func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle] {
        guard limit > 0 else { return [] }
        var sql = SQL("SELECT * FROM kb_articles ORDER BY updated_at DESC, id DESC LIMIT ")
        sql.text += sql.bind(Int64(limit)) + " OFFSET " + sql.bind(Int64(max(0, offset)))
        return try await read("list the knowledge-base articles in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map(self.article(from:))
        }
    }

    public func search(_ text: String, limit: Int) async throws -> [KnowledgeSearchHit] {
        guard let match = Self.tsquery(text), limit > 0 else { return [] }
        var sql = SQL()
        let query = sql.bind(match)
        let options = sql.bind(
            "StartSel=\(KnowledgeSearchHit.matchStart), StopSel=\(KnowledgeSearchHit.matchEnd), "
                + "MaxWords=\(Self.snippetWords), MinWords=\(Self.snippetWords / 3), ShortWord=0, "
                + "MaxFragments=1, FragmentDelimiter=\" … \"")
        sql.text = """
            SELECT a.slug, a.title, a.incident, a.updated_at,
                ts_headline('incidentd_kb', a.title || E'\\n' || a.body || E'\\n' || a.learnings, q, \(options))
                    AS snippet
            FROM kb_articles a, to_tsquery('incidentd_kb', \(query)) q
            WHERE a.search @@ q
            ORDER BY ts_rank(\(Self.rankWeights), a.search, q) DESC, a.updated_at DESC, a.id DESC
            LIMIT \(sql.bind(Int64(limit)))
            """
        return try await read("search the knowledge base in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map { row in
                let r = RowReader(row, "kb_articles", self)
                return KnowledgeSearchHit(
                    slug: try r.get("slug"), title: try r.get("title"),
                    snippet: try r.get("snippet", String?.self) ?? "",
                    incident: try r.optionalInt("incident"), updatedAt: try r.time("updated_at"))
            }
        }
    }

    /// A person's search text as a `tsquery` that means only "these words", as the SQLite store's FTS5 query:
    /// each word must occur (its letter-and-digit runs in sequence), the last as a prefix. Only letters and
    /// digits reach the query text, each quoted, so none of `&|!<->():*'` can act as an operator. Nil when
    /// nothing is left to look for.
    static func tsquery(_ text: String) -> String? {
        var words: [[String]] = []
        for word in text.prefix(500).split(whereSeparator: { $0.isWhitespace }) {
            let runs = word.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
            guard !runs.isEmpty else { continue }
            words.append(runs.map { String($0.prefix(64)) })
            if words.count == 12 { break }
        }
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, runs in
            let last = index == words.count - 1
            let quoted = runs.enumerated().map { position, run in
                "'\(run)'" + (last && position == runs.count - 1 ? ":*" : "")
            }
            return quoted.count == 1 ? quoted[0] : "(" + quoted.joined(separator: " <-> ") + ")"
        }.joined(separator: " & ")
    }

    public func articles(forRule rule: String) async throws -> [KnowledgeArticle] {
        var sql = SQL("SELECT * FROM kb_articles WHERE rule = ")
        sql.text += sql.bind(rule) + " ORDER BY updated_at DESC, id DESC"
        return try await read("read the knowledge-base articles of rule \(rule) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map(self.article(from:))
        }
    }

    public func article(forIncident incident: Int) async throws -> KnowledgeArticle? {
        var sql = SQL("SELECT * FROM kb_articles WHERE incident = ")
        sql.text += sql.bind(Int64(incident)) + " ORDER BY updated_at DESC, id DESC LIMIT 1"
        return try await read("read the knowledge-base article of incident \(incident) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first.map(self.article(from:))
        }
    }

    func article(from row: PostgresRandomAccessRow) throws -> KnowledgeArticle {
        let r = RowReader(row, "kb_articles", self)
        return KnowledgeArticle(
            slug: try r.get("slug"), title: try r.get("title"), body: try r.get("body"),
            learnings: try r.get("learnings"), incident: try r.optionalInt("incident"), rule: try r.get("rule"),
            author: try r.get("author"), createdAt: try r.time("created_at"), updatedAt: try r.time("updated_at"))
    }
}
