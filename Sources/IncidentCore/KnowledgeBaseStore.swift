/// The durable record of the knowledge base (SPEC §14). Implementations are safe to share between tasks; their
/// errors are `StoreError`s. Drafts are validated by the caller (`KnowledgeArticleDraft.problem`).
public protocol KnowledgeBaseStore: Sendable {
    /// Saves a new article: its slug is derived from the title and made unique (`-2`, `-3`, …); returns it as
    /// stored.
    func saveArticle(_ draft: KnowledgeArticleDraft, at time: Timestamp) async throws -> KnowledgeArticle
    /// Replaces the title, body, learnings, incident and rule of the article with this slug and sets its
    /// `updatedAt`; slug, author and creation time stay. Nil when there is no such article.
    func updateArticle(slug: String, with draft: KnowledgeArticleDraft, at time: Timestamp) async throws
        -> KnowledgeArticle?
    /// The article with this slug, or nil.
    func article(slug: String) async throws -> KnowledgeArticle?
    /// Articles, most recently updated first.
    func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle]
    /// Articles matching every word of `query` (the last one as a prefix), best first; `query` is plain text,
    /// never a query language, and an empty one finds nothing.
    func search(_ query: String, limit: Int) async throws -> [KnowledgeSearchHit]
    /// The articles about a rule, most recently updated first.
    func articles(forRule rule: String) async throws -> [KnowledgeArticle]
    /// The most recently updated article that reviews the incident, or nil.
    func article(forIncident incident: Int) async throws -> KnowledgeArticle?
}
