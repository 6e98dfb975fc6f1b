import Foundation
import IncidentCore

/// Where the people handling a rule's incidents read what to do (`runbook:` in a rule, SPEC §14): a web page, or
/// an article of incidentd's knowledge base.
public enum Runbook: Sendable, Hashable {
    /// An `https://` or `http://` URL.
    case url(String)
    /// The slug of a knowledge-base article (`kb:SLUG`), shown at `/kb/SLUG`.
    case article(String)

    /// The most characters a URL may have.
    public static let maxURLLength = 2000

    /// Reads a rule's `runbook:` value; nil for anything but an absolute `http(s)://` URL with a host and no
    /// spaces, quotes or angle brackets, or `kb:` and a slug. A `javascript:` or relative URL is never a link.
    public init?(_ text: String) {
        if text.hasPrefix("kb:") {
            let slug = String(text.dropFirst(3))
            guard KnowledgeArticle.isValidSlug(slug) else { return nil }
            self = .article(slug)
            return
        }
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), text.count <= Self.maxURLLength,
            text.unicodeScalars.allSatisfy({
                $0.value > 0x20 && $0.value < 0x7F && !"\"<>\\^`{|}".unicodeScalars.contains($0)
            }),
            let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else { return nil }
        self = .url(text)
    }

    /// As written in a rule and in the API: the URL, or `kb:SLUG`.
    public var text: String {
        switch self {
        case .url(let url): url
        case .article(let slug): "kb:\(slug)"
        }
    }
}
