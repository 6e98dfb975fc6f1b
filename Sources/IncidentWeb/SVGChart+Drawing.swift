/// The pieces both charts are drawn with: the frame, texts and lines, numbers and escaping.
extension SVGChart {
    /// The viewBox width of every chart; the page scales it.
    static let width = 640.0
    /// The height of a legend line and of a horizontal bar's row.
    static let legendRow = 18.0
    static let barRow = 26.0

    /// The opening `<svg>` with its accessible name (`aria-label` and `<title>`) and a `<desc>` summary.
    static func open(height: Double, title: String, description: String) -> String {
        let name = escape(title)
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(number(width)) \(number(height))\""
            + " preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"\(name)\" font-size=\"11\""
            + " fill=\"currentColor\">\n<title>\(name)</title>\n<desc>\(escape(description))</desc>\n"
    }

    static func text(_ content: String, x: Double, y: Double, class name: String, anchor: String? = nil) -> String {
        let anchorAttribute = anchor.map { " text-anchor=\"\($0)\"" } ?? ""
        return
            "<text class=\"\(name)\" x=\"\(number(x))\" y=\"\(number(y))\"\(anchorAttribute)>\(escape(content))</text>\n"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, class name: String, opacity: Bool = false)
        -> String
    {
        "<line class=\"\(name)\" x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\""
            + " stroke=\"currentColor\"\(opacity ? " stroke-opacity=\"0.2\"" : "")/>\n"
    }

    /// A coordinate with at most two decimals and no trailing zeros: `12`, `12.5`, `12.25`. Deterministic, unlike
    /// `Double.description`'s shortest round trip of a long fraction.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let whole = abs(hundredths) / 100
        let fraction = abs(hundredths) % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Text safe in XML content and in double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `2026-12-04` as `12-04`; any other text as it is.
    static func shortDay(_ day: String) -> String {
        let parts = day.split(separator: "-", omittingEmptySubsequences: false)
        guard day.count == 10, parts.count == 3, parts[0].count == 4 else { return day }
        return "\(parts[1])-\(parts[2])"
    }
}
