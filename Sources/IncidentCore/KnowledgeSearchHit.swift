/// One article found by a knowledge-base search, best first.
public struct KnowledgeSearchHit: Sendable, Hashable {
    /// Starts a matched term in `snippet` (U+E000, private use): the HTML layer escapes the snippet, then turns
    /// the markers into `<mark>` and `</mark>`.
    public static let matchStart: Character = "\u{E000}"
    /// Ends a matched term in `snippet` (U+E001).
    public static let matchEnd: Character = "\u{E001}"

    public var slug: String
    public var title: String
    /// Plain text around the best match, each matched term between `matchStart` and `matchEnd`.
    public var snippet: String
    public var incident: Int?
    public var updatedAt: Timestamp

    public init(slug: String, title: String, snippet: String, incident: Int?, updatedAt: Timestamp) {
        self.slug = slug
        self.title = title
        self.snippet = snippet
        self.incident = incident
        self.updatedAt = updatedAt
    }
}
