/// Left-aligned columns separated by two spaces; lines carry no trailing blanks.
public enum TextTable {
    public static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return ([header] + rows).map { row in
            var line = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
            // Empty trailing cells would leave blanks at the end of the line.
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
