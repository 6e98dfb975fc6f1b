// `{"slug", "title", "body", "learnings", "incident": "INC-7" | null, "rule": NAME | null, "by", "created_at",
// "updated_at"}`: the person is `by`, as in notes and the lifecycle request bodies.

extension KnowledgeArticle: Codable {
    enum CodingKeys: String, CodingKey {
        case slug, title, body, learnings, incident, rule
        case author = "by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slug, forKey: .slug)
        try c.encode(title, forKey: .title)
        try c.encode(body, forKey: .body)
        try c.encode(learnings, forKey: .learnings)
        try c.encode(incident.map(Incident.id), forKey: .incident)
        try c.encode(rule, forKey: .rule)
        try c.encode(author, forKey: .author)
        try c.encode(createdAt.rfc3339, forKey: .createdAt)
        try c.encode(updatedAt.rfc3339, forKey: .updatedAt)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            slug: try c.decode(String.self, forKey: .slug), title: try c.decode(String.self, forKey: .title),
            body: try c.decode(String.self, forKey: .body),
            learnings: try c.decodeIfPresent(String.self, forKey: .learnings) ?? "",
            incident: try c.decodeIncidentIfPresent(forKey: .incident),
            rule: try c.decodeIfPresent(String.self, forKey: .rule), author: try c.decode(String.self, forKey: .author),
            createdAt: try c.decodeRFC3339(forKey: .createdAt), updatedAt: try c.decodeRFC3339(forKey: .updatedAt))
    }
}

extension KnowledgeArticleDraft: Codable {
    enum CodingKeys: String, CodingKey {
        case title, body, learnings, incident, rule
        case author = "by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(body, forKey: .body)
        try c.encode(learnings, forKey: .learnings)
        try c.encodeIfPresent(incident.map(Incident.id), forKey: .incident)
        try c.encodeIfPresent(rule, forKey: .rule)
        try c.encode(author, forKey: .author)
    }

    /// Missing text fields decode as empty, so that `problem` can say which one is missing.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            title: try c.decodeIfPresent(String.self, forKey: .title) ?? "",
            body: try c.decodeIfPresent(String.self, forKey: .body) ?? "",
            learnings: try c.decodeIfPresent(String.self, forKey: .learnings) ?? "",
            incident: try c.decodeIncidentIfPresent(forKey: .incident),
            rule: try c.decodeIfPresent(String.self, forKey: .rule),
            author: try c.decodeIfPresent(String.self, forKey: .author) ?? "")
    }
}

extension KnowledgeSearchHit: Codable {
    enum CodingKeys: String, CodingKey {
        case slug, title, snippet, incident
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slug, forKey: .slug)
        try c.encode(title, forKey: .title)
        try c.encode(snippet, forKey: .snippet)
        try c.encode(incident.map(Incident.id), forKey: .incident)
        try c.encode(updatedAt.rfc3339, forKey: .updatedAt)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            slug: try c.decode(String.self, forKey: .slug), title: try c.decode(String.self, forKey: .title),
            snippet: try c.decode(String.self, forKey: .snippet),
            incident: try c.decodeIncidentIfPresent(forKey: .incident),
            updatedAt: try c.decodeRFC3339(forKey: .updatedAt))
    }
}
