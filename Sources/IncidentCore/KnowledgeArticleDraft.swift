/// What a person writes to save or update an article (`POST`/`PUT /api/v1/kb/articles`): the article without
/// its slug and times, which the store gives.
public struct KnowledgeArticleDraft: Sendable, Hashable {
    public var title: String
    /// Markdown.
    public var body: String
    /// Markdown; may be empty.
    public var learnings: String
    /// The incident the article reviews, if any.
    public var incident: Int?
    /// The rule it is about; the daemon fills it from `incident` when left out.
    public var rule: String?
    /// Who writes it (`by` in JSON).
    public var author: String

    public init(
        title: String, body: String, learnings: String = "", incident: Int? = nil, rule: String? = nil,
        author: String
    ) {
        self.title = title
        self.body = body
        self.learnings = learnings
        self.incident = incident
        self.rule = rule
        self.author = author
    }

    /// What is wrong with the draft, as a sentence for the person who sent it; nil when it may be saved.
    public var problem: String? {
        if title.allSatisfy(\.isWhitespace) { return "title is required: a line that says what the article is about" }
        if title.count > KnowledgeArticle.maxTitleLength {
            return "title has \(title.count) characters; at most \(KnowledgeArticle.maxTitleLength) are allowed"
        }
        if title.contains(where: { $0.isNewline }) { return "title must be one line" }
        if body.allSatisfy(\.isWhitespace) { return "body is required: the article's Markdown" }
        if body.utf8.count > KnowledgeArticle.maxBodyBytes {
            return "body has \(body.utf8.count) bytes; at most \(KnowledgeArticle.maxBodyBytes) (256 KiB) are allowed"
        }
        if learnings.utf8.count > KnowledgeArticle.maxBodyBytes {
            return "learnings has \(learnings.utf8.count) bytes; at most \(KnowledgeArticle.maxBodyBytes) "
                + "(256 KiB) are allowed"
        }
        if author.allSatisfy(\.isWhitespace) { return "by is required: who writes the article, e.g. {\"by\": \"ana\"}" }
        if author.count > KnowledgeArticle.maxAuthorLength {
            return "by has \(author.count) characters; at most \(KnowledgeArticle.maxAuthorLength) are allowed"
        }
        if let incident, incident < 1 { return "incident must be an incident id such as INC-7" }
        if let rule, rule.count > KnowledgeArticle.maxTitleLength {
            return "rule has \(rule.count) characters; at most \(KnowledgeArticle.maxTitleLength) are allowed"
        }
        return nil
    }
}
