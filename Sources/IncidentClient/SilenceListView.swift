import IncidentCore

/// `incidentctl silence list`: one line per silence, hostile values escaped for the terminal.
public enum SilenceListView {
    public static func render(_ silences: [GettableSilence], now: Timestamp) -> String {
        guard !silences.isEmpty else { return "no silences" }
        let rows = silences.map { item in
            let silence = item.silence
            let when: String =
                switch item.state {
                case .active: "ends in \(ElapsedText.between(now, silence.endsAt))"
                case .pending: "starts in \(ElapsedText.between(now, silence.startsAt))"
                case .expired: "ended \(ElapsedText.age(of: silence.endsAt, now: now))"
                }
            return [
                silence.id, item.state.rawValue, TerminalText.safe(silence.matchers.map(\.text).joined(separator: " ")),
                TerminalText.safe(silence.createdBy), when, TerminalText.safe(silence.comment),
            ]
        }
        return TextTable.render(["ID", "STATE", "MATCHERS", "CREATED BY", "WHEN", "COMMENT"], rows)
    }
}
