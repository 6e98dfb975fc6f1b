import IncidentCore

/// `incidentctl kb search`: one block per hit, best first: slug, title and incident, then the snippet with each
/// matched term in `[` `]`, hostile text escaped for the terminal.
public enum KnowledgeSearchView {
    public static func render(_ hits: [KnowledgeSearchHit], now: Timestamp) -> String {
        guard !hits.isEmpty else { return "no articles found" }
        return hits.map { hit in
            var head = "\(hit.slug)  \(TerminalText.safe(hit.title))"
            if let incident = hit.incident { head += "  (\(Incident.id(incident)))" }
            head += "  updated \(ElapsedText.age(of: hit.updatedAt, now: now))"
            return head + "\n    " + snippet(hit.snippet)
        }.joined(separator: "\n")
    }

    /// The snippet on one line with the match markers as brackets.
    public static func snippet(_ text: String) -> String {
        let flat = text.map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined()
        return TerminalText.safe(flat)
            .replacingOccurrences(of: String(KnowledgeSearchHit.matchStart), with: "[")
            .replacingOccurrences(of: String(KnowledgeSearchHit.matchEnd), with: "]")
    }
}
