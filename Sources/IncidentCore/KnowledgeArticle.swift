/// An article of the knowledge base (SPEC §14): a post-incident review with its learnings, or any page people
/// write about running the systems. Addressed by its slug, `/kb/SLUG`.
public struct KnowledgeArticle: Sendable, Hashable {
    /// The most characters a title may have.
    public static let maxTitleLength = 200
    /// The most UTF-8 bytes the body, and separately the learnings, may have: 256 KiB.
    public static let maxBodyBytes = 256 << 10
    /// The most characters a slug may have.
    public static let maxSlugLength = 80
    /// The most characters an author's name may have.
    public static let maxAuthorLength = 200

    /// Lowercase `a-z`, `0-9` and `-`, at most 80 characters; derived from the title when the article is saved
    /// and never changed after, so links to it keep working.
    public var slug: String
    public var title: String
    /// Markdown.
    public var body: String
    /// Markdown; may be empty.
    public var learnings: String
    /// The incident the article reviews, if any.
    public var incident: Int?
    /// The rule whose incidents the article is about, if any.
    public var rule: String?
    /// Who wrote it.
    public var author: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        slug: String, title: String, body: String, learnings: String = "", incident: Int? = nil, rule: String? = nil,
        author: String, createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.slug = slug
        self.title = title
        self.body = body
        self.learnings = learnings
        self.incident = incident
        self.rule = rule
        self.author = author
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The article a draft becomes at `time`, under `slug`.
    public init(_ draft: KnowledgeArticleDraft, slug: String, at time: Timestamp) {
        self.init(
            slug: slug, title: draft.title, body: draft.body, learnings: draft.learnings, incident: draft.incident,
            rule: draft.rule, author: draft.author, createdAt: time, updatedAt: time)
    }

    /// The path of the article's page.
    public var path: String { "/kb/\(slug)" }
}
