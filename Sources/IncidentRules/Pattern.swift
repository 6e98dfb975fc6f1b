import Foundation
import IncidentCore

/// A compiled regular expression with fast paths for the shapes operators write most.
///
/// Most matchers are plain names (`alertname=~"HighCPU|HighMemory"`) or contain a fixed phrase
/// (`message=~".*Failed password.*"`); those never reach the regex engine. For the rest, a literal that
/// every match must contain is looked for with `memchr`/`memcmp` first, so a non-matching message costs a scan,
/// not a backtracking match.
public struct Pattern: @unchecked Sendable, CustomStringConvertible {
    // Regex is immutable after construction and safe to share; it is not declared Sendable on all toolchains.
    enum Shape {
        case equals(String)
        case oneOf(Set<String>)
        case contains(String)
        case prefix(String)
        case suffix(String)
        case anything
        case nonEmpty
        case containsAny([[UInt8]])
        case regex(Regex<AnyRegexOutput>, required: [UInt8]?)
    }

    public let source: String
    public let anchored: Bool
    let shape: Shape
    /// Names of the `(?<name>...)` groups, in order.
    public let captureNames: [String]

    /// Compiles `source`; anchored patterns must match the whole value (Alertmanager `=~`), unanchored ones
    /// anywhere in it (`extract`). Throws a message fit for an operator.
    public init(_ source: String, anchored: Bool) throws(PatternError) {
        self.source = source
        self.anchored = anchored
        captureNames = Pattern.captureNames(in: source)
        if let fast = Pattern.fastShape(source, anchored: anchored) {
            shape = fast
            return
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(anchored ? "^(?:\(source))$" : source)
        } catch {
            throw PatternError(message: Pattern.describe(error))
        }
        shape = .regex(regex, required: Pattern.requiredLiteral(source).map { Array($0.utf8) })
    }

    public var description: String { source }

    /// Whether the value matches.
    public func matches(_ value: String) -> Bool {
        switch shape {
        case .equals(let literal): return value == literal
        case .oneOf(let set): return set.contains(value)
        case .contains(let literal): return Pattern.contains(value, literal)
        case .prefix(let literal): return value.hasPrefix(literal)
        case .suffix(let literal): return value.hasSuffix(literal)
        case .anything: return true
        case .nonEmpty: return !value.isEmpty
        case .containsAny(let needles): return needles.contains { Pattern.contains(value, $0) }
        case .regex(let regex, let required):
            if let required, !Pattern.contains(value, required) { return false }
            return (try? regex.firstMatch(in: value)) != nil
        }
    }

    /// The named captures of the first match (unset groups omitted), or nil when there is no match.
    public func captures(in value: String) -> [(String, String)]? {
        switch shape {
        case .regex(let regex, let required):
            if let required, !Pattern.contains(value, required) { return nil }
            guard let match = try? regex.firstMatch(in: value) else { return nil }
            var result: [(String, String)] = []
            for element in match.output {
                if let name = element.name, let substring = element.substring {
                    result.append((name, String(substring)))
                }
            }
            return result
        default:
            return matches(value) ? [] : nil
        }
    }

    /// The exact values this pattern accepts, when it is a plain literal or an alternation of literals;
    /// used to index rules by value.
    public var literalValues: [String]? {
        switch shape {
        case .equals(let literal): [literal]
        case .oneOf(let set): set.sorted()
        default: nil
        }
    }

    /// Whether the pattern can match the empty string (a matcher on a missing label sees "").
    public var matchesEmpty: Bool { matches("") }

    static let metacharacters = Set("\\^$.|?*+()[]{}")

    static func isLiteral(_ text: Substring) -> Bool { !text.contains { metacharacters.contains($0) } }

    static func fastShape(_ source: String, anchored: Bool) -> Shape? {
        guard anchored else {
            if isLiteral(source[...]) { return source.isEmpty ? .anything : .contains(source) }
            return nil
        }
        if source == ".*" { return .anything }
        // As `.*` is taken to match anything, `.+` is taken to match anything non-empty (newlines included).
        if source == ".+" { return .nonEmpty }
        if isLiteral(source[...]) { return .equals(source) }
        if source.hasPrefix(".*"), source.hasSuffix(".*"), source.count >= 4 {
            let inner = source.dropFirst(2).dropLast(2)
            if isLiteral(inner) { return .contains(String(inner)) }
            // `.*(a|b|c).*`: contains any of the literals.
            if inner.hasPrefix("("), inner.hasSuffix(")"), !inner.hasPrefix("(?") {
                let parts = inner.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                if parts.count > 1, parts.allSatisfy({ isLiteral($0) && !$0.isEmpty }) {
                    return .containsAny(parts.map { Array($0.utf8) })
                }
            }
        }
        if source.hasSuffix(".*") {
            let inner = source.dropLast(2)
            if isLiteral(inner) { return .prefix(String(inner)) }
        }
        if source.hasPrefix(".*") {
            let inner = source.dropFirst(2)
            if isLiteral(inner) { return .suffix(String(inner)) }
        }
        var body = Substring(source)
        if body.hasPrefix("("), body.hasSuffix(")"), !body.hasPrefix("(?") {
            body = body.dropFirst().dropLast()
        } else if body.hasPrefix("(?:"), body.hasSuffix(")") {
            body = body.dropFirst(3).dropLast()
        }
        let parts = body.split(separator: "|", omittingEmptySubsequences: false)
        if parts.count > 1, parts.allSatisfy({ isLiteral($0) }) { return .oneOf(Set(parts.map(String.init))) }
        return nil
    }

    /// The longest run of literal text at the top level of a pattern without top-level alternation: every
    /// match must contain it. Conservative: gives up on anything it does not understand.
    static func requiredLiteral(_ source: String) -> String? {
        if source.hasPrefix("(?i") || source.contains("(?i") { return nil }
        var runs: [String] = []
        var current = ""
        var depth = 0
        var inClass = false
        var chars = Array(source)
        chars.append("\0")
        var i = 0
        func endRun() {
            if !current.isEmpty { runs.append(current) }
            current = ""
        }
        while i < chars.count - 1 {
            let c = chars[i]
            if inClass {
                if c == "\\" { i += 2; continue }
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            switch c {
            case "\\":
                let next = chars[i + 1]
                // An escaped punctuation character is itself; \d, \S and friends are classes.
                if next.isPunctuation || next.isSymbol || next == " " {
                    if depth == 0 { current.append(next) }
                } else if depth == 0 {
                    endRun()
                }
                i += 2
                continue
            case "[":
                inClass = true
                if depth == 0 { endRun() }
            case "(":
                depth += 1
                if depth == 1 { endRun() }
            case ")":
                depth -= 1
            case "|":
                if depth == 0 { return nil }
            case "?", "*", "{":
                // The character before is optional: it does not belong to the run.
                if depth == 0, !current.isEmpty { current.removeLast() }
                if depth == 0 { endRun() }
                if c == "{" { while i < chars.count - 1, chars[i] != "}" { i += 1 } }
            case "+":
                if depth == 0 { endRun() }
            case ".", "^", "$":
                if depth == 0 { endRun() }
            default:
                if depth == 0 { current.append(c) }
            }
            i += 1
        }
        endRun()
        let best = runs.max { $0.utf8.count < $1.utf8.count }
        guard let best, best.utf8.count >= 3 else { return nil }
        return best
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        contains(haystack, Array(needle.utf8))
    }

    static func contains(_ haystack: String, _ needle: [UInt8]) -> Bool {
        var haystack = haystack
        return haystack.withUTF8 { h in
            needle.withUnsafeBufferPointer { n in
                guard n.count <= h.count else { return false }
                if n.isEmpty { return true }
                // memchr for the first byte, memcmp for the rest: glibc's memmem is not exported to Swift.
                let first = Int32(n[0])
                var start = 0
                let last = h.count - n.count
                while start <= last {
                    guard let hit = memchr(h.baseAddress! + start, first, last - start + 1) else { return false }
                    let offset = h.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(h.baseAddress! + offset, n.baseAddress!, n.count) == 0 { return true }
                    start = offset + 1
                }
                return false
            }
        }
    }

    static func captureNames(in source: String) -> [String] {
        var names: [String] = []
        var rest = Substring(source)
        while let range = rest.range(of: "(?<") ?? rest.range(of: "(?P<") {
            let after = rest[range.upperBound...]
            if after.first == "=" || after.first == "!" {  // look-behind, not a name
                rest = after
                continue
            }
            guard let close = after.firstIndex(of: ">") else { break }
            names.append(String(after[..<close]))
            rest = after[close...]
        }
        return names
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.isEmpty ? "invalid regular expression" : text
    }
}

/// Why a pattern did not compile.
public struct PatternError: Error, Sendable {
    public var message: String
}
