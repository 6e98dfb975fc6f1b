import IncidentCore

/// `GET /api/v1/kb/articles?q=`: `{"query": TEXT, "hits": [hit, ...]}`, best first.
struct KnowledgeSearchBody: Encodable, Sendable {
    var query: String
    var hits: [KnowledgeSearchHit]
}
