/// A safe Markdown to HTML renderer for the knowledge base (SPEC §14): the subset `incidentctl review` writes and
/// people write in learnings.
///
/// Headings (`#` renders as `<h2>`, one level down, since the page has the `<h1>`), paragraphs, `-`/`*`/`+` and
/// `1.` lists (one level: deeper items join the list), fenced and indented code, inline code, `**bold**`,
/// `*italic*`/`_italic_`, links, GFM pipe tables, blockquotes and `---` rules.
///
/// Safe: no HTML passes through; every `<`, `>`, `&`, `"` and `'` of the text is escaped, and a link is made only
/// for `http://`, `https://`, `mailto:` and `/kb/` URLs (anything else, `javascript:` included, stays plain text),
/// with `rel="noopener noreferrer"`. Linear: every scan for a closing delimiter stops at a bound or is done once,
/// and nesting is capped, so hostile input (a megabyte of `[` or `*`) costs what its length does.
public enum Markdown {
    /// The deepest blockquote nesting rendered as such; deeper `>` are text.
    static let maxBlockDepth = 8
    /// The deepest nesting of emphasis and links; deeper delimiters are text.
    static let maxInlineDepth = 6
    /// The longest backtick run that opens a code span; longer runs are text.
    static let maxCodeFence = 16
    /// The longest URL made a link.
    static let maxURLLength = 2048
    /// The tags the renderer writes, for tests and the fuzz target: anything else after a `<` is a bug.
    public static let tags: Set<String> = [
        "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "pre", "code", "blockquote", "hr", "table", "thead",
        "tbody", "tr", "th", "td", "strong", "em", "a",
    ]

    /// The HTML of `markdown`: block elements, each followed by a line break.
    public static func html(_ markdown: String) -> String {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var bytes = Array(markdown.utf8)
        bytes.removeAll { $0 == 0 }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(line)
                line.removeAll(keepingCapacity: true)
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                line.append(byte)
            }
            index += 1
        }
        lines.append(line)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        blocks(lines, depth: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
