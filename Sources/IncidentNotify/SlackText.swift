/// Text for Slack's `mrkdwn`: escaping for values a sender controls, and cutting to Slack's length limits.
///
/// Slack reads `<...>` as a control sequence (`<!channel>`, `<@U123>`, `<http://x|label>`) and `&` as the
/// start of an entity, and documents that exactly these three are to be escaped; everything else in a value,
/// formatting characters included, is shown as written.
enum SlackText {
    /// A section's `text` (the headline) may be 3000 characters.
    static let sectionLimit = 3000
    /// A section field's `text` may be 2000 characters.
    static let fieldLimit = 2000

    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` cut to at most `limit` UTF-16 units (the most any of Slack's counts can see), ending in `…` when
    /// cut. The cut never splits an entity: half of `&lt;` would show as text, and a lone `&` is not ours.
    static func limited(_ text: String, to limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        var kept = ""
        var units = 0
        for character in text {
            let size = character.utf16.count
            guard units + size <= limit - 1 else { break }
            kept.append(character)
            units += size
        }
        // An entity is at most five characters (`&amp;`): an `&` among the last four with no `;` after it was cut.
        if let amp = kept.suffix(5).lastIndex(of: "&"), !kept[amp...].contains(";") {
            kept = String(kept[..<amp])
        }
        return kept + "…"
    }
}
