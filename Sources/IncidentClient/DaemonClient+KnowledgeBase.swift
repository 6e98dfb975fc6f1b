import Foundation
import IncidentCore

extension DaemonClient {
    /// `POST /api/v1/kb/articles`: the article as saved, with its slug.
    public func saveArticle(_ draft: KnowledgeArticleDraft) async throws(DaemonClientError)
        -> APIResponse<KnowledgeArticle>
    {
        try await call(.post, "/api/v1/kb/articles", body: draft, decoding: KnowledgeArticle.self)
    }

    /// `PUT /api/v1/kb/articles/{slug}`.
    public func updateArticle(slug: String, with draft: KnowledgeArticleDraft) async throws(DaemonClientError)
        -> APIResponse<KnowledgeArticle>
    {
        try await call(.put, "/api/v1/kb/articles/\(Self.escape(slug))", body: draft, decoding: KnowledgeArticle.self)
    }

    /// `GET /api/v1/kb/articles/{slug}`.
    public func article(slug: String) async throws(DaemonClientError) -> APIResponse<KnowledgeArticle> {
        try await call(.get, "/api/v1/kb/articles/\(Self.escape(slug))", decoding: KnowledgeArticle.self)
    }

    /// `GET /api/v1/kb/articles?limit=&offset=`: most recently updated first.
    public func articles(limit: Int, offset: Int = 0) async throws(DaemonClientError)
        -> APIResponse<[KnowledgeArticle]>
    {
        struct List: Decodable { var articles: [KnowledgeArticle] }
        let response = try await call(
            .get, "/api/v1/kb/articles?limit=\(limit)&offset=\(offset)", decoding: List.self)
        return APIResponse(value: response.value.articles, body: response.body)
    }

    /// `GET /api/v1/kb/articles?q=&limit=`: best first.
    public func searchArticles(_ query: String, limit: Int) async throws(DaemonClientError)
        -> APIResponse<[KnowledgeSearchHit]>
    {
        struct Hits: Decodable { var hits: [KnowledgeSearchHit] }
        let response = try await call(
            .get, "/api/v1/kb/articles?q=\(Self.escape(query))&limit=\(limit)", decoding: Hits.self)
        return APIResponse(value: response.value.hits, body: response.body)
    }
}
