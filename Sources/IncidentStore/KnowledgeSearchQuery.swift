/// A person's search text as an FTS5 query that means only "these words": the text is never FTS5 syntax, so
/// `NEAR(`, `OR`, `-`, `*`, quotes and parentheses are just characters to look for.
///
/// Each whitespace-separated word becomes a double-quoted string (inner quotes doubled), which FTS5 reads as a
/// phrase of the tokens in it; the last word also matches as a prefix (`"disk"*`), so results come while typing.
/// Words without a letter or digit tokenize to nothing and are left out.
struct KnowledgeSearchQuery: Sendable, Hashable {
    /// The most characters of the text looked at.
    static let maxLength = 500
    /// The most words used.
    static let maxTerms = 12
    /// The most characters of one word.
    static let maxTermLength = 64

    /// The words used, in order, unquoted.
    let terms: [String]

    init(_ text: String) {
        var terms: [String] = []
        for word in text.prefix(Self.maxLength).split(whereSeparator: { $0.isWhitespace }) {
            guard word.contains(where: { $0.isLetter || $0.isNumber }) else { continue }
            terms.append(String(word.prefix(Self.maxTermLength)))
            if terms.count == Self.maxTerms { break }
        }
        self.terms = terms
    }

    /// Whether nothing is left to look for.
    var isEmpty: Bool { terms.isEmpty }

    /// The FTS5 `MATCH` expression: quoted terms, all required, the last as a prefix.
    var match: String {
        terms.enumerated().map { index, term in
            let quoted = "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return index == terms.count - 1 ? quoted + "*" : quoted
        }.joined(separator: " ")
    }
}
