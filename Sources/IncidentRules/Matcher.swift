import IncidentCore

/// One Alertmanager-style matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// A name that is not a label of the event matches the annotation of that name (so rules can look at a
/// journal `message`), and `source` sees the event's source. A missing name is the empty string, as in
/// Alertmanager: `team=""` matches alerts without a `team` label.
///
/// A class, immutable once built: rules hold and pass matchers around on every event, and one reference is
/// cheaper to retain than the strings and pattern a struct would copy.
public final class Matcher: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let op: Operator
    public let value: String
    let pattern: Pattern?

    public init(name: String, op: Operator, value: String) throws(PatternError) {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: pattern = nil
        case .regexMatch, .regexNoMatch: pattern = try Pattern(value, anchored: true)
        }
    }

    public func matches(_ candidate: String?) -> Bool {
        let v = candidate ?? ""
        switch op {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return pattern!.matches(v)
        case .regexNoMatch: return !pattern!.matches(v)
        }
    }

    public func matches(_ event: Event) -> Bool { matches(event.value(for: name)) }

    /// The exact values under which this matcher can be indexed, if it only accepts a fixed set.
    var indexValues: [String]? {
        switch op {
        case .equal: value.isEmpty ? nil : [value]
        case .regexMatch:
            pattern?.literalValues.flatMap { values in values.contains("") ? nil : values }
        default: nil
        }
    }

    /// Whether a match guarantees the name has a non-empty value (so a template may use it).
    var providesValue: Bool {
        switch op {
        case .equal: !value.isEmpty
        case .regexMatch: !(pattern?.matchesEmpty ?? true)
        default: false
        }
    }

    public var description: String { "\(name)\(op.rawValue)\(quoted(value))" }
}

extension Matcher {
    /// Why a matcher string could not be read, with the offset of the problem.
    public struct ParseError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// A matcher that parses but looks like a mistyped operator (`a=>"1"`, `a= !"1"`, a regex after `=`): what
    /// it seems to mean, and the offset of its value.
    public struct Warning: Sendable, Hashable {
        public var message: String
        public var offset: Int
    }

    /// Parses a list written as one string: `a="1", b=~"x|y"` or `{a="1"}`, as `amtool` accepts.
    public static func parseList(_ text: String) throws(ParseError) -> [Matcher] {
        try parseListNotingTypos(text).matchers
    }

    /// Parses a list as `parseList(_:)` does, and says which matchers look like a mistyped operator: they still
    /// mean what they say (a warning, not an error), but rarely what was meant.
    public static func parseListNotingTypos(_ text: String) throws(ParseError) -> (
        matchers: [Matcher], warnings: [Warning]
    ) {
        var warnings: [Warning] = []
        var scanner = MatcherScanner(Array(text.unicodeScalars))
        scanner.skipSpaces()
        var braced = false
        if scanner.peek == "{" {
            braced = true
            scanner.advance()
        }
        var result: [Matcher] = []
        while true {
            scanner.skipSpaces()
            if braced, scanner.peek == "}" {
                scanner.advance()
                break
            }
            if scanner.atEnd { break }
            let (matcher, warning) = try scanner.matcher()
            result.append(matcher)
            if let warning { warnings.append(warning) }
            scanner.skipSpaces()
            if scanner.peek == "," {
                scanner.advance()
                continue
            }
            if braced {
                guard scanner.peek == "}" else {
                    throw ParseError(message: "expected ',' or '}' after a matcher", offset: scanner.position)
                }
                continue
            }
            guard scanner.atEnd else {
                throw ParseError(
                    message: "unexpected text after the matcher; separate matchers with ',' or list them separately",
                    offset: scanner.position)
            }
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { throw ParseError(message: "unexpected text after '}'", offset: scanner.position) }
        if result.isEmpty { throw ParseError(message: "empty matcher", offset: 0) }
        return (result, warnings)
    }
}

struct MatcherScanner {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { position >= scalars.count }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    mutating func advance() { position += 1 }
    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { advance() } }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") }

    mutating func matcher() throws(Matcher.ParseError) -> (Matcher, Matcher.Warning?) {
        skipSpaces()
        let nameStart = position
        guard let first = peek, Self.isNameStart(first) else {
            throw .init(
                message: "a matcher starts with a label name (letters, digits, '_'), like severity=\"critical\"",
                offset: position)
        }
        while let c = peek, Self.isNameChar(c) { advance() }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<position]))
        skipSpaces()
        let opStart = position
        var opText = ""
        while let c = peek, c == "=" || c == "!" || c == "~" {
            opText.unicodeScalars.append(c)
            advance()
        }
        guard let op = Matcher.Operator(rawValue: opText) else {
            let found = opText.isEmpty ? (peek.map { "'\($0)'" } ?? "the end") : "'\(opText)'"
            // The operators people swap around: `=!` for `!=`, `~=` for `=~` (as in Perl's `=~`, reversed).
            let swapped = [
                "==": "; use a single '='", "=!": "; did you mean '!='?", "~=": "; did you mean '=~'?",
                "~!": "; did you mean '!~'?",
            ]
            throw .init(
                message: "expected one of =, !=, =~, !~ after '\(name)', found \(found)" + (swapped[opText] ?? ""),
                offset: opStart)
        }
        skipSpaces()
        let valueStart = position
        let isQuoted = peek == "\""
        let value: String
        if isQuoted {
            value = try quotedValue()
        } else {
            let start = position
            while let c = peek, c != ",", c != "}" { advance() }
            value = String(String.UnicodeScalarView(scalars[start..<position])).trimmed(of: " \t")
        }
        let warning = Self.typo(op: op, value: value, wasQuoted: isQuoted).map {
            Matcher.Warning(message: $0, offset: valueStart)
        }
        do {
            return (try Matcher(name: name, op: op, value: value), warning)
        } catch {
            throw .init(message: "bad regular expression \(quoted(value)): \(error.message)", offset: opStart)
        }
    }

    /// What a matcher that parses seems to have meant instead, when its operator looks mistyped.
    ///
    /// Only an unquoted value is suspected of holding a stray operator character: `usage=>"90"` reads the
    /// value `>"90"`, while `usage=">90"` was quoted on purpose. A regex-looking value after `=` or `!=` is
    /// suspected either way, since those compare the text exactly.
    static func typo(op: Matcher.Operator, value: String, wasQuoted: Bool) -> String? {
        if !wasQuoted, let first = value.unicodeScalars.first {
            switch first {
            case ">", "<":
                return "there is no '\(first)' operator, so this compares with the text \(quoted(value)); "
                    + "matchers only test text with =, !=, =~, !~ (a regex such as =~\"9[0-9]\" for a range)"
            case "!" where op == .equal:
                return "the value compared is \(quoted(value)); did you mean '!='?"
            case "~" where op == .equal:
                return "the value compared is \(quoted(value)); did you mean '=~'?"
            default: break
            }
        }
        guard op == .equal || op == .notEqual, looksLikeRegex(value) else { return nil }
        let (meant, compares) = op == .equal ? ("=~", "'=' compares") : ("!~", "'!=' compares")
        return "\(quoted(value)) looks like a regular expression, but \(compares) the text exactly; "
            + "use '\(meant)' to match it as a regex"
    }

    /// Regex syntax that label values rarely hold literally: `.*`, `.+`, an alternation, a class escape, a
    /// character class or an anchor.
    static func looksLikeRegex(_ value: String) -> Bool {
        for marker in [".*", ".+", "|", "\\d", "\\w", "\\s", "\\S", "\\b"] where value.contains(marker) { return true }
        if value.hasPrefix("^") || (value.hasSuffix("$") && value.count > 1) { return true }
        if let open = value.firstIndex(of: "["), value[open...].contains("]") { return true }
        return false
    }

    mutating func quotedValue() throws(Matcher.ParseError) -> String {
        let start = position
        advance()
        var out = ""
        while let c = peek {
            advance()
            if c == "\"" { return out }
            if c == "\\" {
                guard let e = peek else { break }
                advance()
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "\"": out += "\""
                case "\\": out += "\\"
                default:
                    // Keep unknown escapes: regexes like "\d+" are written without doubling the backslash.
                    out.unicodeScalars.append("\\")
                    out.unicodeScalars.append(e)
                }
                continue
            }
            out.unicodeScalars.append(c)
        }
        throw .init(message: "unterminated quoted value; add the closing '\"'", offset: start)
    }
}

extension String {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
