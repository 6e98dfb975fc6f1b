import Foundation

extension SilenceMatcher {
    /// Parses one matcher in Alertmanager's syntax: `name="value"`, `name=~"re"`, `name!=value`, `name!~re`.
    ///
    /// Values may be double-quoted (with `\\`, `\"` and `\n` escapes) or bare, as amtool accepts them. Regexes
    /// are checked here, so a bad one is refused before it reaches the daemon.
    public init(parsing text: String) throws(SilenceMatcherError) {
        let scalars = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
        var index = 0
        var name = ""
        while index < scalars.count, !"=!~".unicodeScalars.contains(scalars[index]) {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        name = name.trimmingCharacters(in: .whitespaces)
        guard Self.isValidName(name) else {
            throw SilenceMatcherError(
                "'\(text)' is not a matcher: write name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\"")
        }
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        let op: (isRegex: Bool, isEqual: Bool, length: Int)
        if rest.hasPrefix("=~") {
            op = (true, true, 2)
        } else if rest.hasPrefix("!~") {
            op = (true, false, 2)
        } else if rest.hasPrefix("!=") {
            op = (false, false, 2)
        } else if rest.hasPrefix("=") {
            op = (false, true, 1)
        } else {
            throw SilenceMatcherError("'\(text)' has no operator: use =, !=, =~ or !~ after the label name")
        }
        let raw = String(rest.dropFirst(op.length)).trimmingCharacters(in: .whitespaces)
        let value = try Self.unquote(raw, in: text)
        self.init(name: name, value: value, isRegex: op.isRegex, isEqual: op.isEqual)
        if let problem = regexProblem {
            throw SilenceMatcherError("'\(text)': \(problem)")
        }
    }

    /// Parses a list of matchers: several arguments, each one matcher or a `{a="b", c=~"d"}` set as in
    /// Alertmanager's `filter=` parameter.
    public static func parseList(_ texts: [String]) throws(SilenceMatcherError) -> [SilenceMatcher] {
        var matchers: [SilenceMatcher] = []
        for text in texts {
            var body = text.trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("{") && body.hasSuffix("}") && body.count >= 2 {
                body = String(body.dropFirst().dropLast())
            }
            for part in split(body) where !part.trimmingCharacters(in: .whitespaces).isEmpty {
                matchers.append(try SilenceMatcher(parsing: part))
            }
        }
        return matchers
    }

    /// Whether a label's value (nil when the label is absent, which matches like the empty string, as in
    /// Alertmanager) is selected. Regexes are anchored at both ends.
    public func matches(labelValue: String?) -> Bool {
        predicate()(labelValue)
    }

    /// `matches(labelValue:)` with the regex compiled once, for testing many values; an invalid regex selects
    /// nothing.
    public func predicate() -> (String?) -> Bool {
        let isEqual = self.isEqual
        guard isRegex else {
            let expected = value
            return { ($0 ?? "") == expected ? isEqual : !isEqual }
        }
        guard
            let regex = try? NSRegularExpression(
                pattern: "^(?:\(value))$", options: [.dotMatchesLineSeparators])
        else { return { _ in false } }
        return { labelValue in
            let value = labelValue ?? ""
            let hit = regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
            return hit == isEqual
        }
    }

    /// Whether the matcher selects an alert that lacks the label: a silence made only of such matchers would
    /// silence everything, which Alertmanager refuses.
    public var matchesEmpty: Bool { matches(labelValue: "") }

    /// Why the regex cannot be used; nil when the matcher is not a regex or the regex compiles.
    public var regexProblem: String? {
        guard isRegex else { return nil }
        do {
            _ = try NSRegularExpression(pattern: "^(?:\(value))$")
            return nil
        } catch {
            return "'\(value)' is not a valid regular expression"
        }
    }

    /// Label names as Alertmanager takes them, with `.` and `-` also allowed (incidentd's labels may carry them).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_:.-".unicodeScalars.contains($0)))
        }
    }

    /// A bare or double-quoted value; escapes are undone in quoted ones.
    static func unquote(_ raw: String, in text: String) throws(SilenceMatcherError) -> String {
        guard raw.hasPrefix("\"") else {
            guard !raw.contains("\"") else {
                throw SilenceMatcherError("'\(text)': a value with a quote must be quoted as a whole")
            }
            return raw
        }
        guard raw.count >= 2, raw.hasSuffix("\"") else {
            throw SilenceMatcherError("'\(text)': the quoted value is not closed")
        }
        var out = ""
        var escaping = false
        for c in raw.dropFirst().dropLast() {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "\\", "\"": out.append(c)
                default:
                    out.append("\\")
                    out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else if c == "\"" {
                throw SilenceMatcherError("'\(text)': a quote inside a quoted value must be written \\\"")
            } else {
                out.append(c)
            }
        }
        guard !escaping else { throw SilenceMatcherError("'\(text)': the quoted value ends in a lone backslash") }
        return out
    }

    /// Splits at commas outside double quotes.
    static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaping = false
        for c in text {
            if escaping {
                escaping = false
            } else if c == "\\" && quoted {
                escaping = true
            } else if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                parts.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        parts.append(current)
        return parts
    }
}
