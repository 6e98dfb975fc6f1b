import Foundation
import Hummingbird
import IncidentCore

/// The knowledge base's JSON routes (SPEC §14): articles saved from post-incident reviews, and their search.
extension APIRoutes {
    /// How many articles or hits a listing returns when `limit` is not given.
    static let defaultArticleLimit = 20
    /// The most `limit` may ask for.
    static let maxArticleLimit = 1000

    func addKnowledgeBaseRoutes(to router: Router<APIRequestContext>) {
        router.post("/api/v1/kb/articles") { request, _ in
            let draft = try articleDraft(try await body(of: request))
            let article = try await api.saveArticle(draft)
            return try JSONResponse.make(
                article, status: .created, headers: [.location: "/api/v1/kb/articles/\(article.slug)"])
        }
        router.put("/api/v1/kb/articles/{slug}") { request, context in
            let slug = try articleSlug(context)
            let draft = try articleDraft(try await body(of: request))
            return try JSONResponse.make(try await api.updateArticle(slug: slug, with: draft))
        }
        router.get("/api/v1/kb/articles") { request, _ in
            let query = FormQuery(request.uri.query)
            let limit = try Self.articleLimit(query.get("limit"))
            if let text = query.get("q") {
                let hits = try await api.searchArticles(text, limit: limit)
                return try JSONResponse.make(KnowledgeSearchBody(query: text, hits: hits))
            }
            let offset = try Self.articleOffset(query.get("offset"))
            return try JSONResponse.make(
                KnowledgeArticleListBody(articles: try await api.articles(limit: limit, offset: offset)))
        }
        router.get("/api/v1/kb/articles/{slug}") { _, context in
            let slug = try articleSlug(context)
            guard let article = try await api.article(slug: slug) else {
                throw APIError(.notFound, "there is no article '\(slug)' in the knowledge base")
            }
            return try JSONResponse.make(article)
        }
    }

    /// A request body as a draft; 400 with what is wrong.
    func articleDraft(_ data: Data) throws -> KnowledgeArticleDraft {
        guard !data.isEmpty else {
            throw APIError(
                .badRequest,
                "the body is empty: send {\"title\": TEXT, \"body\": MARKDOWN, \"learnings\": MARKDOWN, "
                    + "\"incident\": \"INC-7\", \"by\": NAME}")
        }
        let draft = try JSONDecoder().decode(KnowledgeArticleDraft.self, from: data)
        if let problem = draft.problem { throw APIError(.badRequest, problem) }
        return draft
    }

    /// `{slug}`; 404 when it cannot be one.
    func articleSlug(_ context: APIRequestContext) throws -> String {
        let slug = context.parameters.get("slug") ?? ""
        guard KnowledgeArticle.isValidSlug(slug) else {
            throw APIError(.notFound, "there is no article '\(slug)': slugs are a-z, 0-9 and -")
        }
        return slug
    }

    /// `limit=`: 1 to 1000, 20 when absent.
    static func articleLimit(_ text: String?) throws -> Int {
        guard let text else { return defaultArticleLimit }
        guard let limit = Int(text), (1...maxArticleLimit).contains(limit) else {
            throw APIError(.badRequest, "limit '\(text)' must be a whole number from 1 to \(maxArticleLimit)")
        }
        return limit
    }

    /// `offset=`: 0 or more, 0 when absent.
    static func articleOffset(_ text: String?) throws -> Int {
        guard let text else { return 0 }
        guard let offset = Int(text), offset >= 0 else {
            throw APIError(.badRequest, "offset '\(text)' must be a whole number, 0 or more")
        }
        return offset
    }
}
