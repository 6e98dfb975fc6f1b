extension Markdown {
    /// A list item's marker as read from the start of a line.
    struct ListMarker {
        var ordered: Bool
        var start: Int
        /// The item's text after the marker and its space.
        var text: ArraySlice<UInt8>
    }

    /// Renders lines as block elements; blockquotes recurse with `depth` + 1.
    static func blocks(_ lines: [[UInt8]], depth: Int, into out: inout [UInt8]) {
        var paragraph: [ArraySlice<UInt8>] = []
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            emit("<p>", into: &out)
            inline(joined(paragraph), into: &out)
            emit("</p>\n", into: &out)
            paragraph.removeAll()
        }
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if isBlank(line) {
                flushParagraph()
                i += 1
                continue
            }
            let indent = indentation(line)
            if indent >= 4 {
                if paragraph.isEmpty {
                    i = indentedCode(lines, from: i, into: &out)
                } else {
                    paragraph.append(trimmedLeading(line))  // a paragraph's continuation line
                    i += 1
                }
                continue
            }
            let content = trimmedLeading(line)
            if let fence = fenceOpening(content) {
                flushParagraph()
                i = fencedCode(lines, from: i, fence: fence, into: &out)
                continue
            }
            if let (level, text) = heading(content) {
                flushParagraph()
                let tag = "h\(min(level + 1, 6))"
                emit("<\(tag)>", into: &out)
                inline(text, into: &out)
                emit("</\(tag)>\n", into: &out)
                i += 1
                continue
            }
            if isRule(content) {
                flushParagraph()
                emit("<hr>\n", into: &out)
                i += 1
                continue
            }
            if content.first == UInt8(ascii: ">"), depth < maxBlockDepth {
                flushParagraph()
                var inner: [[UInt8]] = []
                while i < lines.count, indentation(lines[i]) < 4 {
                    var quoted = trimmedLeading(lines[i])
                    guard quoted.first == UInt8(ascii: ">") else { break }
                    quoted = quoted.dropFirst()
                    if let first = quoted.first, isSpace(first) { quoted = quoted.dropFirst() }
                    inner.append(Array(quoted))
                    i += 1
                }
                emit("<blockquote>\n", into: &out)
                blocks(inner, depth: depth + 1, into: &out)
                emit("</blockquote>\n", into: &out)
                continue
            }
            if let marker = listMarker(content) {
                flushParagraph()
                i = list(lines, from: i, first: marker, into: &out)
                continue
            }
            if paragraph.isEmpty, content.contains(UInt8(ascii: "|")), i + 1 < lines.count,
                let columns = delimiterRow(lines[i + 1]), tableCells(content).count == columns
            {
                i = table(lines, from: i, columns: columns, into: &out)
                continue
            }
            paragraph.append(content)
            i += 1
        }
        flushParagraph()
    }

    // MARK: code

    /// Indented code: this and the following lines indented by four spaces (or a tab), blank lines between
    /// them included. Returns the index after the block.
    static func indentedCode(_ lines: [[UInt8]], from start: Int, into out: inout [UInt8]) -> Int {
        var last = start
        var i = start
        while i < lines.count, isBlank(lines[i]) || indentation(lines[i]) >= 4 {
            if !isBlank(lines[i]) { last = i }
            i += 1
        }
        emit("<pre><code>", into: &out)
        for index in start...last {
            escape(droppingIndentation(lines[index], 4), into: &out)
            out.append(0x0A)
        }
        emit("</code></pre>\n", into: &out)
        return last + 1
    }

    /// An opening code fence: three or more backticks or tildes, and an info string.
    static func fenceOpening(_ content: ArraySlice<UInt8>) -> (byte: UInt8, count: Int, info: ArraySlice<UInt8>)? {
        guard let byte = content.first, byte == UInt8(ascii: "`") || byte == UInt8(ascii: "~") else { return nil }
        let count = content.prefix { $0 == byte }.count
        guard count >= 3 else { return nil }
        let info = trimmed(content.dropFirst(count))
        if byte == UInt8(ascii: "`"), info.contains(byte) { return nil }
        return (byte, count, info)
    }

    /// A fenced code block up to its closing fence, or to the end when there is none. Returns the index after it.
    static func fencedCode(
        _ lines: [[UInt8]], from start: Int, fence: (byte: UInt8, count: Int, info: ArraySlice<UInt8>),
        into out: inout [UInt8]
    ) -> Int {
        let openingIndent = indentation(lines[start])
        // The language is the info string's first word, kept only when it is a plain name.
        let language = fence.info.prefix { !isSpace($0) }.prefix(32)
        let isName =
            !language.isEmpty
            && language.allSatisfy {
                isAlphanumeric($0) && $0 < 0x80 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: "+")
            }
        emit("<pre><code", into: &out)
        if isName {
            emit(" class=\"language-", into: &out)
            out += language
            emit("\"", into: &out)
        }
        emit(">", into: &out)
        var i = start + 1
        while i < lines.count {
            let line = lines[i]
            let content = trimmed(line[...])
            if indentation(line) < 4, content.count >= fence.count, content.allSatisfy({ $0 == fence.byte }) {
                i += 1
                break
            }
            escape(droppingIndentation(line, openingIndent), into: &out)
            out.append(0x0A)
            i += 1
        }
        emit("</code></pre>\n", into: &out)
        return i
    }

    // MARK: headings, rules, lists

    /// `#` to `######`, a space (or nothing), the text; a closing run of `#` is dropped.
    static func heading(_ content: ArraySlice<UInt8>) -> (Int, ArraySlice<UInt8>)? {
        let level = content.prefix { $0 == UInt8(ascii: "#") }.count
        guard (1...6).contains(level) else { return nil }
        var text = content.dropFirst(level)
        if let first = text.first, !isSpace(first) { return nil }
        text = trimmed(text)
        let closing = text.reversed().prefix { $0 == UInt8(ascii: "#") }.count
        if closing == text.count {
            text = text.prefix(0)
        } else if closing > 0, isSpace(text[text.endIndex - closing - 1]) {
            text = trimmed(text.dropLast(closing))
        }
        return (level, text)
    }

    /// `---`, `***` or `___`, three or more, spaces allowed between.
    static func isRule(_ content: ArraySlice<UInt8>) -> Bool {
        guard let byte = content.first,
            byte == UInt8(ascii: "-") || byte == UInt8(ascii: "*")
                || byte == UInt8(ascii: "_")
        else { return false }
        var count = 0
        for b in content {
            if b == byte {
                count += 1
            } else if !isSpace(b) {
                return false
            }
        }
        return count >= 3
    }

    /// `- `, `* `, `+ ` or `1. `/`1) ` (up to nine digits) at the start of a line.
    static func listMarker(_ content: ArraySlice<UInt8>) -> ListMarker? {
        guard let first = content.first else { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            let rest = content.dropFirst()
            guard rest.isEmpty || isSpace(rest.first!) else { return nil }
            return ListMarker(ordered: false, start: 1, text: trimmed(rest))
        }
        let digits = content.prefix { (0x30...0x39).contains($0) }
        guard (1...9).contains(digits.count) else { return nil }
        let rest = content.dropFirst(digits.count)
        guard let delimiter = rest.first, delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")") else {
            return nil
        }
        let after = rest.dropFirst()
        guard after.isEmpty || isSpace(after.first!) else { return nil }
        return ListMarker(ordered: true, start: Int(String(decoding: digits, as: UTF8.self)) ?? 1, text: trimmed(after))
    }

    /// A list and its items, each item's continuation lines joined to it; a blank line ends the list unless an
    /// item of the same kind follows. Deeper items join the list (one level). Returns the index after it.
    static func list(_ lines: [[UInt8]], from start: Int, first: ListMarker, into out: inout [UInt8]) -> Int {
        var items: [[ArraySlice<UInt8>]] = [[first.text]]
        var i = start + 1
        while i < lines.count {
            let line = lines[i]
            if isBlank(line) {
                var next = i
                while next < lines.count, isBlank(lines[next]) { next += 1 }
                if next < lines.count, indentation(lines[next]) < 4,
                    let marker = listMarker(trimmedLeading(lines[next])), marker.ordered == first.ordered
                {
                    i = next
                    continue
                }
                break
            }
            let indent = indentation(line)
            let content = trimmedLeading(line)
            if let marker = listMarker(content), indent < 4 || indent >= 2 {
                if marker.ordered == first.ordered || indent >= 2 {
                    items.append([marker.text])
                    i += 1
                    continue
                }
                break
            }
            if indent < 2,
                fenceOpening(content) != nil || heading(content) != nil || isRule(content)
                    || content.first == UInt8(ascii: ">")
            {
                break
            }
            items[items.count - 1].append(content)
            i += 1
        }
        if first.ordered {
            emit(first.start == 1 ? "<ol>\n" : "<ol start=\"\(first.start)\">\n", into: &out)
        } else {
            emit("<ul>\n", into: &out)
        }
        for item in items {
            emit("<li>", into: &out)
            inline(joined(item), into: &out)
            emit("</li>\n", into: &out)
        }
        emit(first.ordered ? "</ol>\n" : "</ul>\n", into: &out)
        return i
    }

    // MARK: tables

    /// The number of columns when the line is a table's delimiter row (`|---|:--:|`), else nil.
    static func delimiterRow(_ line: [UInt8]) -> Int? {
        guard indentation(line) < 4, line.contains(UInt8(ascii: "|")) else { return nil }
        let cells = tableCells(trimmedLeading(line))
        guard !cells.isEmpty else { return nil }
        for cell in cells {
            var body = cell
            if body.first == UInt8(ascii: ":") { body = body.dropFirst() }
            if body.last == UInt8(ascii: ":") { body = body.dropLast() }
            guard !body.isEmpty, body.allSatisfy({ $0 == UInt8(ascii: "-") }) else { return nil }
        }
        return cells.count
    }

    /// A row's cells, trimmed: split at each `|` not escaped with `\`, the outer pipes dropped.
    static func tableCells(_ content: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var row = trimmed(content)
        if row.first == UInt8(ascii: "|") { row = row.dropFirst() }
        if row.last == UInt8(ascii: "|"), row.count < 2 || row[row.endIndex - 2] != UInt8(ascii: "\\") {
            row = row.dropLast()
        }
        var cells: [ArraySlice<UInt8>] = []
        var cellStart = row.startIndex
        var index = row.startIndex
        while index < row.endIndex {
            if row[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if row[index] == UInt8(ascii: "|") {
                cells.append(trimmed(row[cellStart..<index]))
                cellStart = index + 1
            }
            index += 1
        }
        cells.append(trimmed(row[cellStart..<min(index, row.endIndex)]))
        return cells
    }

    /// A table: the header line, the delimiter row, and the following lines with a `|`; each row gets exactly
    /// `columns` cells. Returns the index after it.
    static func table(_ lines: [[UInt8]], from start: Int, columns: Int, into out: inout [UInt8]) -> Int {
        func row(_ content: ArraySlice<UInt8>, cell tag: String) {
            let cells = tableCells(content)
            emit("<tr>", into: &out)
            for column in 0..<columns {
                emit("<\(tag)>", into: &out)
                if column < cells.count { inline(cells[column], into: &out) }
                emit("</\(tag)>", into: &out)
            }
            emit("</tr>\n", into: &out)
        }
        emit("<table>\n<thead>\n", into: &out)
        row(trimmedLeading(lines[start]), cell: "th")
        emit("</thead>\n", into: &out)
        var i = start + 2
        var hasBody = false
        while i < lines.count, !isBlank(lines[i]), lines[i].contains(UInt8(ascii: "|")) {
            if !hasBody { emit("<tbody>\n", into: &out) }
            hasBody = true
            row(trimmedLeading(lines[i]), cell: "td")
            i += 1
        }
        if hasBody { emit("</tbody>\n", into: &out) }
        emit("</table>\n", into: &out)
        return i
    }

    // MARK: lines

    static func isBlank(_ line: [UInt8]) -> Bool { line.allSatisfy(isSpace) }

    /// Leading columns of spaces, a tab counting to the next multiple of four.
    static func indentation(_ line: [UInt8]) -> Int {
        var columns = 0
        for byte in line {
            if byte == 0x20 {
                columns += 1
            } else if byte == 0x09 {
                columns += 4 - columns % 4
            } else {
                break
            }
            if columns >= 8 { break }
        }
        return columns
    }

    /// The line without up to `columns` columns of leading spaces and tabs.
    static func droppingIndentation(_ line: [UInt8], _ columns: Int) -> ArraySlice<UInt8> {
        var taken = 0
        var index = 0
        while index < line.count, taken < columns {
            if line[index] == 0x20 {
                taken += 1
            } else if line[index] == 0x09 {
                taken += 4 - taken % 4
            } else {
                break
            }
            index += 1
        }
        return line[index...]
    }

    static func trimmedLeading(_ line: [UInt8]) -> ArraySlice<UInt8> { line.drop(while: isSpace) }

    static func trimmed(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var text = text.drop(while: isSpace)
        while let last = text.last, isSpace(last) { text = text.dropLast() }
        return text
    }

    /// Lines joined with line breaks into one text for the inline renderer.
    static func joined(_ lines: [ArraySlice<UInt8>]) -> [UInt8] {
        var text: [UInt8] = []
        for (index, line) in lines.enumerated() {
            if index > 0 { text.append(0x0A) }
            text += trimmed(line)
        }
        return text
    }
}
