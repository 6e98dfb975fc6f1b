import IncidentCore

/// `incidentctl kb show`: the article's fields, then its Markdown as written, every line escaped for the
/// terminal (an article is whatever someone wrote).
public enum KnowledgeArticleView {
    public static func render(_ article: KnowledgeArticle, now: Timestamp) -> String {
        var fields: [(String, String)] = [
            ("slug", article.slug),
            ("page", article.path),
            ("by", TerminalText.safe(article.author)),
            ("created", "\(article.createdAt.rfc3339) (\(ElapsedText.age(of: article.createdAt, now: now)))"),
            ("updated", "\(article.updatedAt.rfc3339) (\(ElapsedText.age(of: article.updatedAt, now: now)))"),
        ]
        if let incident = article.incident { fields.append(("incident", Incident.id(incident))) }
        if let rule = article.rule { fields.append(("rule", TerminalText.safe(rule))) }
        var out = [TerminalText.safe(article.title), ""]
        out += fields.map { "  " + ($0.0 + ":").padding(to: 10) + $0.1 }
        out += ["", lines(article.body)]
        if !article.learnings.allSatisfy(\.isWhitespace) {
            out += ["", "LEARNINGS", "", lines(article.learnings)]
        }
        return out.joined(separator: "\n")
    }

    /// Markdown with each line made safe; tabs become spaces so that code blocks keep their indentation.
    static func lines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = String(line)
            if line.hasSuffix("\r") { line.removeLast() }
            return TerminalText.safe(line.replacingOccurrences(of: "\t", with: "    "))
        }.joined(separator: "\n")
    }
}
