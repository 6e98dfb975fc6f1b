import IncidentCore

/// `GET /api/v1/kb/articles`: `{"articles": [article, ...]}`, most recently updated first.
struct KnowledgeArticleListBody: Encodable, Sendable {
    var articles: [KnowledgeArticle]
}
