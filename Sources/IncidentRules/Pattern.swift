import Foundation
import IncidentCore
import Synchronization

/// A compiled regular expression with fast paths for the shapes operators write most.
///
/// Most matchers are plain names (`alertname=~"HighCPU|HighMemory"`) or contain a fixed phrase
/// (`message=~".*Failed password.*"`); those never reach the regex engine. For the rest, a literal that
/// every match must contain is looked for with `memchr`/`memcmp` first, so a non-matching message costs a scan,
/// not a backtracking match.
///
/// What is left runs on ICU through `NSRegularExpression`, which is immutable and safe to share between
/// threads. Swift's own `Regex` was 5 to 40 times slower on the shipped rules' patterns on Linux (56 µs against
/// 9 µs for the kernel I/O pattern on one message), and it was a third of the daemon's CPU on journal ingest.
public struct Pattern: @unchecked Sendable, CustomStringConvertible {
    enum Shape {
        case equals(String)
        case oneOf(Set<String>)
        case contains(String)
        case prefix(String)
        case suffix(String)
        case anything
        case nonEmpty
        case containsAny([[UInt8]])
        /// `search` is set for an anchored `.*BODY.*`: on a value without line breaks it is the same test as
        /// searching for `BODY`, which spares the engine the backtracking of the leading `.*`.
        /// `linear` is set when the pattern can be matched without ICU (`LinearPattern`); what it leaves
        /// undecided goes to ICU.
        case regex(Compiled)
    }

    /// A pattern's regex and its fast paths, in one object: binding them out of `Shape` for every match retained
    /// each of them (the expression, the literal, the linear matcher's arrays); a reference is one retain.
    final class Compiled: @unchecked Sendable {
        let regex: NSRegularExpression
        let search: NSRegularExpression?
        let required: [UInt8]?
        let linear: LinearPattern?

        init(_ regex: NSRegularExpression, search: NSRegularExpression?, required: [UInt8]?, linear: LinearPattern?) {
            self.regex = regex
            self.search = search
            self.required = required
            self.linear = linear
        }
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
        // ICU group names are letters and digits only, so `(?<src_ip>...)` (and Go's `(?P<name>...)`) become
        // `(?<g0>...)`, `(?<g1>...)` in order; `captures(in:)` maps them back through `captureNames`.
        let icuSource = Pattern.numberingGroups(source)
        let regex: NSRegularExpression
        do {
            // `\\A` and `\\z`, not `^` and `$`: as in Alertmanager (Go), the whole value, a final newline included.
            regex = try NSRegularExpression(pattern: anchored ? "\\A(?:\(icuSource))\\z" : icuSource)
        } catch {
            // ICU's error says little; Swift's parser names the problem and its place.
            var reason = "not a valid regular expression"
            do { _ = try Regex(source) } catch { reason = "\(error)" }
            throw PatternError(message: "'\(source)': \(reason)")
        }
        var search: NSRegularExpression?
        if anchored, let body = Pattern.searchBody(icuSource) {
            search = try? NSRegularExpression(pattern: "(?:\(body))")
        }
        shape = .regex(
            Compiled(
                regex, search: search, required: Pattern.requiredLiteral(source).map { Array($0.utf8) },
                linear: LinearPattern(source, anchored: anchored)))
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
        case .regex(let compiled):
            if let required = compiled.required, !Pattern.contains(value, required) { return false }
            switch compiled.linear?.firstMatch(in: value, capturing: false) {
            case .match: return true
            case .noMatch: return false
            case .undecided, nil: break
            }
            if let search = compiled.search, !Pattern.hasLineBreak(value) {
                return Pattern.firstMatch(search, value) != nil
            }
            return Pattern.firstMatch(compiled.regex, value) != nil
        }
    }

    /// The named captures of the first match (unset groups omitted), or nil when there is no match.
    public func captures(in value: String) -> [(String, String)]? {
        switch shape {
        case .regex(let compiled):
            if let required = compiled.required, !Pattern.contains(value, required) { return nil }
            switch compiled.linear?.firstMatch(in: value, capturing: true) {
            case .match(let texts): return Array(zip(captureNames, texts))
            case .noMatch: return nil
            case .undecided, nil: return Pattern.regexCaptures(compiled.regex, captureNames, value)
            }
        default:
            return matches(value) ? [] : nil
        }
    }

    /// The named captures of ICU's first match: what `captures(in:)` gives, without the matcher that spares ICU.
    /// The reference the tests and the fuzz target hold that matcher to.
    public func regexCaptures(in value: String) -> [(String, String)]? {
        switch shape {
        case .regex(let compiled): Pattern.regexCaptures(compiled.regex, captureNames, value)
        default: captures(in: value)
        }
    }

    /// Whether ICU's first match exists, without the fast paths (the tests' and fuzz target's reference).
    public func regexMatches(_ value: String) -> Bool {
        switch shape {
        case .regex(let compiled): Pattern.firstMatch(compiled.regex, value) != nil
        default: matches(value)
        }
    }

    /// Whether the pattern is matched without ICU where it can be (`LinearPattern`).
    public var isLinear: Bool {
        if case .regex(let compiled) = shape { return compiled.linear != nil }
        return false
    }

    static func regexCaptures(_ regex: NSRegularExpression, _ captureNames: [String], _ value: String)
        -> [(String, String)]?
    {
        guard let match = Pattern.firstMatch(regex, value) else { return nil }
        var result: [(String, String)] = []
        let utf16 = value.utf16
        for (index, name) in captureNames.enumerated() {
            let range = match.range(withName: "g\(index)")
            guard range.location != NSNotFound else { continue }
            // By UTF-16 offsets, not `Range(_:in:)`, which gives nil for a group that ends inside a character of
            // more than one scalar (the `\r` of a `\r\n`): that group was dropped, though ICU matched it.
            let lower = utf16.index(utf16.startIndex, offsetBy: range.location)
            let upper = utf16.index(lower, offsetBy: range.length)
            result.append((name, String(Substring(utf16[lower..<upper]))))
        }
        return result
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
        // Where a class ends is not worth reading here: `[]...]` and `[^]...]` differ between engines, and in ICU a
        // `[` inside a class opens a nested set (`[[09]:+(A]` is one class).
        if source.contains("[]") || source.contains("[^]") { return nil }
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
                if c == "[" { return nil }
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
                // A `)` without its `(` closes the `(?:` that anchoring wraps the source in, so a `|` after it is
                // top-level alternation after all: no literal is required then.
                if depth < 0 { return nil }
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
        if needle.isEmpty { return true }
        var haystack = haystack
        return haystack.withUTF8 { find(needle, in: $0, from: 0) != nil }
    }

    /// The first occurrence of `needle` (not empty) in `bytes` at or after `from`: `memchr` for the first byte,
    /// `memcmp` for the rest (glibc's `memmem` is not exported to Swift).
    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard needle.count <= bytes.count - from else { return nil }
        return needle.withUnsafeBufferPointer { n in
            let first = Int32(n[0])
            var start = from
            let last = bytes.count - n.count
            while start <= last {
                guard let hit = memchr(bytes.baseAddress! + start, first, last - start + 1) else { return nil }
                let offset = bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(bytes.baseAddress! + offset, n.baseAddress!, n.count) == 0 { return offset }
                start = offset + 1
            }
            return nil
        }
    }

    /// Names of the `(?<name>...)` and `(?P<name>...)` groups, in order; escapes and look-behinds are skipped.
    static func captureNames(in source: String) -> [String] {
        namedGroups(in: source).map(\.name)
    }

    /// The source with its named groups renamed `g0`, `g1`, ... in order.
    static func numberingGroups(_ source: String) -> String {
        var result = ""
        var rest = source[...]
        for (index, group) in namedGroups(in: source).enumerated() {
            result += rest[..<group.range.lowerBound] + "(?<g\(index)>"
            rest = rest[group.range.upperBound...]
        }
        return result + rest
    }

    /// Each named group's name and the range of its opening `(?<name>` or `(?P<name>`.
    static func namedGroups(in source: String) -> [(name: String, range: Range<String.Index>)] {
        var groups: [(name: String, range: Range<String.Index>)] = []
        var index = source.startIndex
        // ICU's classes nest: `[[a-z](?<x>]` is one class, and the `(?<x>` in it is four characters, not a group.
        var classDepth = 0
        while index < source.endIndex {
            let c = source[index]
            if c == "\\" {
                index = source.index(after: index)
                if index < source.endIndex { index = source.index(after: index) }
                continue
            }
            if c == "[" {
                classDepth += 1
            } else if classDepth > 0 {
                if c == "]" { classDepth -= 1 }
            } else if c == "(" {
                let rest = source[index...]
                let prefix = rest.hasPrefix("(?<") ? 3 : rest.hasPrefix("(?P<") ? 4 : 0
                let nameStart = source.index(index, offsetBy: prefix)
                if prefix > 0, nameStart < source.endIndex, source[nameStart] != "=", source[nameStart] != "!",
                    let close = source[nameStart...].firstIndex(of: ">")
                {
                    let end = source.index(after: close)
                    groups.append((String(source[nameStart..<close]), index..<end))
                    index = end
                    continue
                }
            }
            index = source.index(after: index)
        }
        return groups
    }

    /// How much of a value the regular-expression engine sees: its first 16,384 UTF-16 units (16 KiB of ASCII).
    /// The literal fast paths (`equals`, `contains`, prefixes) still see the whole value: they cost one scan.
    public static let maxRegexInput = 16_384

    /// How long one match may run before it is abandoned as no match: 100 ms. A backtracking pattern on a
    /// hostile line (`(a+)+$` on thirty `a`s and a `b`) runs until ICU's own limit, 2 to 4 s here, per line; a few
    /// such lines held the engine until the watchdog killed the daemon, which then read them again.
    public static let matchDeadline: Duration = .milliseconds(100)

    /// Matches abandoned at `matchDeadline` since start (`incidentd_regex_timeouts_total`).
    public static var timeouts: Int { abandoned.load(ordering: .relaxed) }
    static let abandoned = Atomic<Int>(0)

    static func firstMatch(_ regex: NSRegularExpression, _ value: String) -> NSTextCheckingResult? {
        // `reportProgress` makes ICU call back during a long match, which is the only way to stop one early
        // through NSRegularExpression; a match that ends quickly never calls back with progress.
        let range = NSRange(location: 0, length: min(value.utf16.count, maxRegexInput))
        let deadline = monotonicNanoseconds() + UInt64(matchDeadline.microseconds) * 1000
        var found: NSTextCheckingResult?
        regex.enumerateMatches(in: value, options: [.reportProgress], range: range) { result, _, stop in
            if let result {
                found = result
                stop.pointee = true
            } else if monotonicNanoseconds() > deadline {
                abandoned.add(1, ordering: .relaxed)
                stop.pointee = true
            }
        }
        return found
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func searchBody(_ source: String) -> Substring? {
        guard source.hasPrefix(".*"), source.hasSuffix(".*"), source.count >= 5 else { return nil }
        let body = source.dropFirst(2).dropLast(2)
        // As for `requiredLiteral`: nested classes and a `]` first in a class are not read here.
        if body.contains("[]") || body.contains("[^]") { return nil }
        var depth = 0
        var inClass = false
        var escaped = false
        for c in body {
            if escaped {
                escaped = false
                continue
            }
            switch c {
            case "\\": escaped = true
            case "[" where inClass: return nil
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case "(" where !inClass: depth += 1
            case ")" where !inClass:
                depth -= 1
                if depth < 0 { return nil }
            case "|" where !inClass && depth == 0: return nil
            default: break
            }
        }
        // A trailing backslash would escape the `.` of the final `.*`.
        guard depth == 0, !inClass, !escaped else { return nil }
        return body
    }

    /// Whether the value holds a character that `.` does not match: a line feed, vertical tab, form feed or
    /// carriage return, NEL (U+0085), or the line and paragraph separators (U+2028, U+2029).
    static func hasLineBreak(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x0A && byte <= 0x0D { return true }
                if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0x85 { return true }
                if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                    bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                {
                    return true
                }
                index += 1
            }
            return false
        }
    }
}

/// Why a pattern did not compile.
public struct PatternError: Error, Sendable {
    public var message: String
}
