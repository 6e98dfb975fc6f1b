import IncidentCore
import Yams

/// Reads a composed YAML tree into typed values, reporting every mismatch with its file, line and column.
///
/// Rule and config files are decoded by hand over `Yams.Node` rather than with `Codable` because operators
/// need positions and "did you mean" hints, which `Codable` errors cannot give. `package` so that IncidentConfig
/// reads the daemon's config file with the same positions and codes.
package struct YAMLReader {
    package let file: String
    package let sink: DiagnosticSink

    package init(file: String, sink: DiagnosticSink) {
        self.file = file
        self.sink = sink
    }

    /// Parses the text; a syntax error becomes a diagnostic and the result is nil.
    package func compose(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            // Yams refuses repeated keys while composing, so `mapping(_:allowed:what:)` never sees them; its
            // message would quote the whole file at 1:1. Point at the repeat instead.
            let key = duplicates.first ?? "?"
            let first = (line: max(context.mark.line, 1), column: max(context.mark.column, 1))
            let at = Self.repeatedKey(key, after: first, in: text) ?? first
            sink.error(
                "duplicate-key", at: SourceLocation(file: file, line: at.line, column: at.column),
                "key '\(key)' appears twice in the same mapping (first at line \(first.line)); keep one.")
            return nil
        } catch let error as YamlError {
            let (mark, problem) = Self.describe(error)
            sink.error(
                "yaml-syntax", at: SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1),
                "YAML syntax error: \(problem). Check indentation and quoting around this position.")
            return nil
        } catch {
            sink.error("yaml-syntax", at: SourceLocation(file: file, line: 1, column: 1), "YAML error: \(error)")
            return nil
        }
    }

    static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = context.map { "\($0.text) \(problem)" } ?? problem
            return (mark, text)
        case .reader(let problem, _, _, _):
            return (nil, "cannot read the text: \(problem) (is it UTF-8?)")
        default:
            return (nil, "\(error)")
        }
    }

    /// Where `key` occurs again in the mapping whose first occurrence is at `first` (1-based line and column,
    /// counted in Unicode scalars as libyaml does): the same line of a flow mapping, or a later line of a block
    /// mapping at the same indentation. Nil when it cannot be told from the text.
    static func repeatedKey(_ key: String, after first: (line: Int, column: Int), in text: String)
        -> (line: Int, column: Int)?
    {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { Array($0.unicodeScalars) }
        let keyScalars = Array(key.unicodeScalars)
        func isKey(_ line: [Unicode.Scalar], at start: Int) -> Bool {
            guard start + keyScalars.count <= line.count, Array(line[start..<start + keyScalars.count]) == keyScalars
            else { return false }
            var i = start + keyScalars.count
            while i < line.count, line[i] == " " { i += 1 }
            return i < line.count && line[i] == ":"
        }
        guard first.line - 1 < lines.count else { return nil }
        // A flow mapping: `{ a: 1, a: 2 }` on one line.
        let firstLine = lines[first.line - 1]
        var i = first.column - 1 + keyScalars.count
        while i < firstLine.count {
            if firstLine[i] == "," || firstLine[i] == "{" {
                var j = i + 1
                while j < firstLine.count, firstLine[j] == " " { j += 1 }
                if isKey(firstLine, at: j) { return (first.line, j + 1) }
            }
            i += 1
        }
        // A block mapping: a later sibling line indented exactly like the first key.
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            var leading = 0
            while leading < line.count, line[leading] == " " { leading += 1 }
            if leading == line.count || line[leading] == "#" { continue }
            if leading < indent { return nil }
            if leading == indent, isKey(line, at: leading) { return (index + 1, leading + 1) }
        }
        return nil
    }

    package func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func typeName(_ node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The pairs of a mapping with string keys; unknown keys and duplicates are reported and skipped.
    package func mapping(
        _ node: Node, allowed: [String], what: String
    ) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            sink.error("wrong-type", at: location(node), "\(what) must be a mapping, found \(typeName(node)).")
            return nil
        }
        var seen: Set<String> = []
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                sink.error("wrong-type", at: location(keyNode), "keys of \(what) must be plain names.")
                continue
            }
            let key = scalar.string
            if !allowed.contains(key) {
                sink.error(
                    "unknown-key", at: location(keyNode),
                    "unknown key '\(key)' in \(what).\(suggestion(key, in: allowed))")
                continue
            }
            if !seen.insert(key).inserted {
                sink.error("duplicate-key", at: location(keyNode), "key '\(key)' appears twice in \(what); keep one.")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        return pairs
    }

    package func isNull(_ node: Node) -> Bool {
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
            return true
        }
        return false
    }

    package func string(_ node: Node, what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            sink.error("wrong-type", at: location(node), "\(what) must be a string, found \(typeName(node)).")
            return nil
        }
        return scalar.string
    }

    package func bool(_ node: Node, what: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            sink.error("wrong-type", at: location(node), "\(what) must be true or false, found \(typeName(node)).")
            return nil
        }
        switch scalar.string {
        case "true", "True", "TRUE", "yes", "on": return true
        case "false", "False", "FALSE", "no", "off": return false
        default:
            sink.error("wrong-type", at: location(node), "\(what) must be true or false, found '\(scalar.string)'.")
            return nil
        }
    }

    package func int(_ node: Node, what: String, minimum: Int = Int.min) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            sink.error("wrong-type", at: location(node), "\(what) must be a whole number.")
            return nil
        }
        guard value >= minimum else {
            sink.error("out-of-range", at: location(node), "\(what) must be at least \(minimum), found \(value).")
            return nil
        }
        return value
    }

    package func duration(_ node: Node, what: String) -> Duration? {
        guard case .scalar(let scalar) = node else {
            sink.error("bad-duration", at: location(node), "\(what) must be a duration like 30s, 5m, 4h or 7d.")
            return nil
        }
        guard let value = DurationText.parse(scalar.string) else {
            sink.error(
                "bad-duration", at: location(node),
                "'\(scalar.string)' is not a duration; write a number and a unit (ms, s, m, h, d, w), e.g. 30s, 5m, 1h30m."
            )
            return nil
        }
        return value
    }

    package func enumeration<E: RawRepresentable & CaseIterable>(
        _ node: Node, _ type: E.Type, what: String, code: String
    ) -> E? where E.RawValue == String {
        guard let text = string(node, what: what) else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = E.allCases.map(\.rawValue)
        let hint = nearest(text, in: names).map { " Did you mean '\($0)'?" } ?? ""
        sink.error(
            code, at: location(node),
            "'\(text)' is not a valid \(what); use one of \(names.joined(separator: ", ")).\(hint)")
        return nil
    }

    /// A list, or a single scalar taken as a one-element list (operators write `notify: oncall`).
    package func list(_ node: Node, what: String) -> [Node]? {
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar: return [node]
        default:
            sink.error("wrong-type", at: location(node), "\(what) must be a list, found \(typeName(node)).")
            return nil
        }
    }

    package func strings(_ node: Node, what: String) -> [(String, Node)]? {
        guard let items = list(node, what: what) else { return nil }
        return items.compactMap { item in string(item, what: "each entry of \(what)").map { ($0, item) } }
    }
}
