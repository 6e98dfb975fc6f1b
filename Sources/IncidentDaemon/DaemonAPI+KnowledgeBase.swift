import IncidentCore
import IncidentServer

/// The knowledge base (SPEC §14): articles live in the store beside the incidents; the engine is not involved.
extension DaemonAPI {
    /// The most articles one listing or search returns.
    static let maxArticles = 1000

    public func saveArticle(_ draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle {
        let knowledgeBase = try knowledgeBaseStore()
        let draft = try await completed(draft)
        return try await knowledgeBase.saveArticle(draft, at: now())
    }

    public func updateArticle(slug: String, with draft: KnowledgeArticleDraft) async throws -> KnowledgeArticle {
        let knowledgeBase = try knowledgeBaseStore()
        let draft = try await completed(draft)
        guard let article = try await knowledgeBase.updateArticle(slug: slug, with: draft, at: now()) else {
            throw APIError(.notFound, "there is no article '\(slug)' in the knowledge base")
        }
        return article
    }

    public func article(slug: String) async throws -> KnowledgeArticle? {
        try await knowledgeBaseStore().article(slug: slug)
    }

    public func articles(limit: Int, offset: Int) async throws -> [KnowledgeArticle] {
        try await knowledgeBaseStore().articles(limit: max(1, min(limit, Self.maxArticles)), offset: max(0, offset))
    }

    public func searchArticles(_ query: String, limit: Int) async throws -> [KnowledgeSearchHit] {
        try await knowledgeBaseStore().search(query, limit: max(1, min(limit, Self.maxArticles)))
    }

    func knowledgeBaseStore() throws -> any KnowledgeBaseStore {
        guard let knowledgeBase else {
            throw APIError(.unavailable, "this store keeps no knowledge base")
        }
        return knowledgeBase
    }

    /// The draft checked, with the rule of its incident when it names one and no rule.
    func completed(_ draft: KnowledgeArticleDraft) async throws -> KnowledgeArticleDraft {
        if let problem = draft.problem { throw APIError(.badRequest, problem) }
        var draft = draft
        if let number = draft.incident {
            guard let incident = try await store.incident(number) else {
                throw APIError(.notFound, "there is no incident \(Incident.id(number)) for the article to review")
            }
            if draft.rule == nil { draft.rule = incident.rule }
        }
        return draft
    }
}
