extension Markdown {
    /// Renders one block's text: code spans, emphasis, links, backslash escapes; everything else escaped.
    static func inline(_ text: some Collection<UInt8>, into out: inout [UInt8]) {
        let renderer = InlineRenderer(text: Array(text))
        renderer.render(0..<renderer.text.count, depth: 0, links: true, into: &out)
    }

    /// The inline pass over one block's text. Each search for a closing delimiter either succeeds, and the
    /// renderer moves past what it searched, or fails, and is remembered so that it is never repeated in that
    /// range: the work is linear in the text for each level of nesting, and nesting is capped.
    struct InlineRenderer {
        let text: [UInt8]

        /// Delimiters known to have no closer after some position within a range's end, keyed by kind.
        struct Misses {
            var after: [Int: Int] = [:]

            func known(_ kind: Int, at position: Int) -> Bool {
                guard let from = after[kind] else { return false }
                return position >= from
            }

            mutating func record(_ kind: Int, at position: Int) {
                after[kind] = min(after[kind] ?? position, position)
            }
        }

        init(text: [UInt8]) { self.text = text }

        func render(_ range: Range<Int>, depth: Int, links: Bool, into out: inout [UInt8]) {
            var misses = Misses()
            var i = range.lowerBound
            let end = range.upperBound
            while i < end {
                let byte = text[i]
                switch byte {
                case UInt8(ascii: "\\"):
                    if i + 1 < end, isASCIIPunctuation(text[i + 1]) {
                        escape(text[i + 1], into: &out)
                        i += 2
                    } else {
                        out.append(byte)
                        i += 1
                    }
                case UInt8(ascii: "`"):
                    i = codeSpan(at: i, end: end, misses: &misses, into: &out)
                case UInt8(ascii: "*"), UInt8(ascii: "_"):
                    i = emphasis(at: i, end: end, depth: depth, links: links, misses: &misses, into: &out)
                case UInt8(ascii: "["):
                    i = link(at: i, end: end, depth: depth, links: links, into: &out)
                default:
                    escape(byte, into: &out)
                    i += 1
                }
            }
        }

        /// A code span between equal backtick runs; an unmatched run is text. Returns the index after it.
        func codeSpan(at start: Int, end: Int, misses: inout Misses, into out: inout [UInt8]) -> Int {
            var run = 0
            while start + run < end, text[start + run] == UInt8(ascii: "`") { run += 1 }
            let kind = 100 + run
            if run <= maxCodeFence, !misses.known(kind, at: start) {
                var j = start + run
                while j < end {
                    guard text[j] == UInt8(ascii: "`") else {
                        j += 1
                        continue
                    }
                    var closing = 0
                    while j + closing < end, text[j + closing] == UInt8(ascii: "`") { closing += 1 }
                    if closing == run {
                        var content = text[(start + run)..<j]
                        if content.count >= 2, content.first == 0x20, content.last == 0x20,
                            !content.allSatisfy({ $0 == 0x20 })
                        {
                            content = content.dropFirst().dropLast()
                        }
                        emit("<code>", into: &out)
                        for b in content { escape(b == 0x0A ? 0x20 : b, into: &out) }
                        emit("</code>", into: &out)
                        return j + closing
                    }
                    j += closing
                }
                misses.record(kind, at: start)
            }
            out += repeatElement(UInt8(ascii: "`"), count: run)
            return start + run
        }

        /// `**strong**`, `__strong__`, `*em*` or `_em_`; `_` only at word edges, so `snake_case_name` stays.
        /// Returns the index after it, or after the delimiter written as text.
        func emphasis(
            at start: Int, end: Int, depth: Int, links: Bool, misses: inout Misses, into out: inout [UInt8]
        ) -> Int {
            let byte = text[start]
            let isUnderscore = byte == UInt8(ascii: "_")
            var run = 0
            while start + run < end, text[start + run] == byte { run += 1 }
            let width = run >= 2 ? 2 : 1
            let kind = Int(byte) * 10 + width
            let before: UInt8? = start > 0 ? text[start - 1] : nil
            let opens =
                depth < maxInlineDepth && start + width < end && !isWhitespace(text[start + width])
                && !(isUnderscore && before.map(isAlphanumeric) == true)
            guard opens, !misses.known(kind, at: start) else {
                out += repeatElement(byte, count: run)
                return start + run
            }
            // The closer: the same run width, after text that is not a space, not inside a longer run, and for
            // `_` not followed by a letter or digit.
            var j = start + width + 1
            while j + width <= end {
                guard text[j] == byte else {
                    j += 1
                    continue
                }
                var closing = 0
                while j + closing < end, text[j + closing] == byte { closing += 1 }
                let after: UInt8? = j + closing < end ? text[j + closing] : nil
                if closing == width, !isWhitespace(text[j - 1]),
                    !(isUnderscore && after.map(isAlphanumeric) == true)
                {
                    let tag = width == 2 ? "strong" : "em"
                    emit("<\(tag)>", into: &out)
                    render((start + width)..<j, depth: depth + 1, links: links, into: &out)
                    emit("</\(tag)>", into: &out)
                    return j + closing
                }
                j += closing
            }
            misses.record(kind, at: start)
            out += repeatElement(byte, count: width)
            return start + width
        }

        /// `[text](url)` with a safe URL: a link. With another URL the source is written as text. The text may not
        /// hold `[`, the URL no space, quote, bracket or parenthesis, so each scan ends at the next bracket and
        /// no two scans overlap. Returns the index after it, or after the `[` written as text.
        func link(at start: Int, end: Int, depth: Int, links: Bool, into out: inout [UInt8]) -> Int {
            func literal() -> Int {
                out.append(UInt8(ascii: "["))
                return start + 1
            }
            guard links, depth < maxInlineDepth else { return literal() }
            var close = start + 1
            while close < end, text[close] != UInt8(ascii: "]"), text[close] != UInt8(ascii: "[") { close += 1 }
            guard close < end, text[close] == UInt8(ascii: "]"), close + 1 < end, text[close + 1] == UInt8(ascii: "(")
            else { return literal() }
            let urlStart = close + 2
            var urlEnd = urlStart
            while urlEnd < end, urlEnd - urlStart <= maxURLLength, Self.isURLByte(text[urlEnd]) { urlEnd += 1 }
            guard urlEnd < end, text[urlEnd] == UInt8(ascii: ")"), urlEnd > urlStart else { return literal() }
            let url = text[urlStart..<urlEnd]
            guard isSafeURL(url), urlEnd - urlStart <= maxURLLength else {
                escape(text[start...urlEnd], into: &out)
                return urlEnd + 1
            }
            emit("<a href=\"", into: &out)
            escape(url, into: &out)
            emit("\" rel=\"noopener noreferrer\">", into: &out)
            if close == start + 1 {
                escape(url, into: &out)
            } else {
                render((start + 1)..<close, depth: depth + 1, links: false, into: &out)
            }
            emit("</a>", into: &out)
            return urlEnd + 1
        }

        /// Whether a byte may be part of a link's URL.
        static func isURLByte(_ byte: UInt8) -> Bool {
            guard byte > 0x20, byte != 0x7F else { return false }
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "<"),
                UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: "\\"):
                return false
            default:
                return true
            }
        }
    }
}
