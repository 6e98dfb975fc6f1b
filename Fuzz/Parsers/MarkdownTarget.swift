import FuzzSupport
import IncidentWeb

/// `Markdown.html`: whatever the text, the HTML holds no markup but the renderer's own. Every `<` opens or closes
/// one of `Markdown.tags`, with only the attributes the renderer writes (a link's `href` with a safe URL and
/// `rel`, an ordered list's `start`, a code block's `language-` class); every `&` starts one of the five entities
/// the escaping writes. So `<script`, `onerror=` and `javascript:` can only be escaped text.
enum MarkdownTarget {
    static let target = FuzzTarget("markdown") { data in
        let html = Markdown.html(String(decoding: data, as: UTF8.self))
        if let problem = problem(in: Array(html.utf8)) {
            FuzzCheck.require(false, "\(problem) in \(html.prefix(2000))")
        }
    }

    static let entities = ["amp;", "lt;", "gt;", "quot;", "#39;"].map { Array($0.utf8) }

    /// The first thing in `html` the renderer never writes, or nil.
    static func problem(in html: [UInt8]) -> String? {
        var i = 0
        while i < html.count {
            switch html[i] {
            case UInt8(ascii: "&"):
                let rest = html[(i + 1)...]
                guard entities.contains(where: { rest.starts(with: $0) }) else { return "a bare & at \(i)" }
                i += 1
            case UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                return "an unescaped \(Character(Unicode.Scalar(html[i]))) at \(i)"
            case UInt8(ascii: "<"):
                guard let end = html[i...].firstIndex(of: UInt8(ascii: ">")) else { return "an unclosed < at \(i)" }
                let tag = String(decoding: html[(i + 1)..<end], as: UTF8.self)
                if let problem = problem(inTag: tag) { return "\(problem) at \(i)" }
                i = end + 1
            default:
                i += 1
            }
        }
        return nil
    }

    static func problem(inTag tag: String) -> String? {
        if tag.hasPrefix("/") {
            return Markdown.tags.contains(String(tag.dropFirst())) ? nil : "an unknown closing tag <\(tag)>"
        }
        let name = String(tag.prefix { $0 != " " })
        guard Markdown.tags.contains(name) else { return "an unknown tag <\(tag)>" }
        let attributes = tag.dropFirst(name.count)
        if attributes.isEmpty { return nil }
        switch name {
        case "a":
            let prefix = " href=\""
            let suffix = "\" rel=\"noopener noreferrer\""
            guard attributes.hasPrefix(prefix), attributes.hasSuffix(suffix),
                attributes.count >= prefix.count + suffix.count
            else { return "a link with other attributes <\(tag)>" }
            let url = attributes.dropFirst(prefix.count).dropLast(suffix.count)
            let lower = url.lowercased()
            guard !url.contains("\""),
                lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
                    || url.hasPrefix("/kb/")
            else { return "an unsafe link <\(tag)>" }
            return nil
        case "ol":
            let digits = attributes.dropFirst(" start=\"".count).dropLast()
            return attributes.hasPrefix(" start=\"") && attributes.hasSuffix("\"") && !digits.isEmpty
                && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) ? nil : "a list with <\(tag)>"
        case "code":
            let language = attributes.dropFirst(" class=\"language-".count).dropLast()
            return attributes.hasPrefix(" class=\"language-") && attributes.hasSuffix("\"") && !language.isEmpty
                && language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_+".contains($0)) })
                ? nil : "code with <\(tag)>"
        default:
            return "attributes on <\(tag)>"
        }
    }
}
