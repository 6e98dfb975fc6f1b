import Foundation
import Synchronization

/// A regular expression simple enough to match in one pass without ICU: literal ASCII text, and runs of one
/// character class (`\w+`, `\S*`, `[^ ]+`, `\d`, `.+`), alone or as a named group, where every run of `+` or `*`
/// is followed by the end of the pattern, by literal text whose first character the class does not contain, or by
/// a class of at least one character that shares none with it (`(?<user>\S+)\s+(?<host>\S+)`).
/// Such a run ends exactly where its characters end, so from each start there is at most one way to match, and
/// it is found without backtracking.
///
/// This is the shape of most `extract` patterns (`fp=(?<fp>\w+) alertname=(?<alertname>\S+)`). On the journal
/// path ICU's match of such a pattern, with the hand-over of the value as UTF-16 and of each group back by name,
/// was 15% of the daemon's CPU; this matcher reads the value's UTF-8 in place.
///
/// Which ASCII characters a class holds is asked of ICU when the pattern compiles (each of the 128, once), so
/// the answers are ICU's own. What it cannot decide it leaves to ICU, which answers as it always has: a class
/// meeting a non-ASCII character, a value longer than `Pattern.maxRegexInput`, a search past its step budget.
struct LinearPattern: Sendable {
    /// The ASCII members of a one-character class, as ICU matches it.
    struct CharacterClass: Sendable, Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? low & (1 << UInt64(byte)) != 0 : high & (1 << UInt64(byte &- 64)) != 0
        }

        func isDisjoint(with other: CharacterClass) -> Bool { low & other.low == 0 && high & other.high == 0 }

        mutating func insert(_ byte: UInt8) {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
    }

    enum Element: Sendable {
        case literal([UInt8])
        /// One character of the class, or (`repeats`) as many as follow, at least one unless `allowsEmpty`;
        /// `group` is the named group's number when the run is one.
        case characters(CharacterClass, repeats: Bool, allowsEmpty: Bool, group: Int?)
    }

    enum Outcome: Equatable {
        /// A match, with each named group's text in order when captures were asked for.
        case match([String])
        case noMatch
        /// Left to ICU.
        case undecided
    }

    let elements: [Element]
    let anchored: Bool
    let groupCount: Int

    /// How many characters one search may look at before it leaves the value to ICU (and ICU's deadline):
    /// 16 times the longest value it takes. A search restarts after each occurrence of its first literal, so
    /// `a(?<x>\w+)b` on a line of `a`s would otherwise look at the line's square.
    static let stepBudget = 16 * Pattern.maxRegexInput

    /// The pattern in this form, or nil when `source` is anything else. `source` is the operator's text (named
    /// groups in either spelling), already accepted by ICU.
    init?(_ source: String, anchored: Bool) {
        let bytes = Array(source.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        var elements: [Element] = []
        var literal: [UInt8] = []
        var groups = 0
        var index = 0
        func endLiteral() {
            if !literal.isEmpty { elements.append(.literal(literal)) }
            literal = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "(") {
                // Only `(?<name>RUN)` and `(?P<name>RUN)`.
                var cursor = index + 1
                guard cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: "?") else { return nil }
                cursor += 1
                if bytes[cursor] == UInt8(ascii: "P") { cursor += 1 }
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "<") else { return nil }
                cursor += 1
                let nameStart = cursor
                while cursor < bytes.count, LinearPattern.isNameByte(bytes[cursor]) { cursor += 1 }
                guard cursor > nameStart, cursor < bytes.count, bytes[cursor] == UInt8(ascii: ">") else { return nil }
                guard let (run, next) = LinearPattern.run(bytes, at: cursor + 1, group: groups),
                    next < bytes.count, bytes[next] == UInt8(ascii: ")")
                else { return nil }
                endLiteral()
                elements.append(run)
                groups += 1
                index = next + 1
            } else if let (run, next) = LinearPattern.run(bytes, at: index, group: nil) {
                endLiteral()
                elements.append(run)
                index = next
            } else if byte == UInt8(ascii: "\\") {
                // An escaped punctuation character or space is itself; an escaped letter or digit is something
                // else (`\b`, `\n`, `\x41`, `\Q`, a back-reference).
                guard index + 1 < bytes.count, LinearPattern.isEscapableLiteral(bytes[index + 1]) else { return nil }
                literal.append(bytes[index + 1])
                index += 2
                guard !LinearPattern.isQuantifier(bytes, at: index) else { return nil }
            } else if Pattern.metacharacters.contains(Character(Unicode.Scalar(byte))) {
                return nil
            } else {
                literal.append(byte)
                index += 1
                guard !LinearPattern.isQuantifier(bytes, at: index) else { return nil }
            }
        }
        endLiteral()
        // Every run that repeats ends at the end, before a literal that its class cannot start, or before a class
        // it shares no character with that must take at least one (`\S+\s+`): a shorter run would leave one of
        // its own characters next, which what follows cannot take.
        for (position, element) in elements.enumerated() {
            guard case .characters(let members, true, _, _) = element, position + 1 < elements.count else { continue }
            switch elements[position + 1] {
            case .literal(let next):
                guard !members.contains(next[0]) else { return nil }
            case .characters(let next, _, let allowsEmpty, _):
                guard !allowsEmpty, members.isDisjoint(with: next) else { return nil }
            }
        }
        guard groups == Pattern.captureNames(in: source).count else { return nil }
        self.elements = elements
        self.anchored = anchored
        self.groupCount = groups
    }

    /// The first match in `value` (for an anchored pattern, the whole value), with its groups' text when
    /// `capturing`.
    func firstMatch(in value: String, capturing: Bool) -> Outcome {
        var value = value
        return value.withUTF8 { bytes in
            guard bytes.count <= Pattern.maxRegexInput else { return .undecided }
            var budget = LinearPattern.stepBudget
            // Only a capture needs the groups' ranges: `matches` (every `=~` matcher) allocates none.
            var ranges = [Range<Int>](repeating: 0..<0, count: capturing ? groupCount : 0)
            var found: Int?
            if anchored {
                switch attempt(bytes, from: 0, ranges: &ranges, budget: &budget) {
                case .matched(let end): if end == bytes.count { found = 0 }
                case .failed: break
                case .undecided: return .undecided
                }
            } else if case .literal(let first) = elements[0] {
                // Each occurrence of the first literal, in order.
                var from = 0
                search: while let hit = Pattern.find(first, in: bytes, from: from) {
                    switch attempt(bytes, from: hit, ranges: &ranges, budget: &budget) {
                    case .matched:
                        found = hit
                        break search
                    case .failed: from = hit + 1
                    case .undecided: return .undecided
                    }
                }
            } else {
                // Each start in order. After a leading run from `start` stopped at `end`, the starts up to `end`
                // stop there too and go on as it did: they fail as well.
                var start = 0
                search: while start <= bytes.count {
                    switch attempt(bytes, from: start, ranges: &ranges, budget: &budget) {
                    case .matched:
                        found = start
                        break search
                    case .failed(let leadingEnd): start = max(start + 1, leadingEnd + 1)
                    case .undecided: return .undecided
                    }
                }
            }
            guard found != nil else { return .noMatch }
            guard capturing else { return .match([]) }
            // The groups hold ASCII only: a run that meets anything else is left to ICU.
            return .match(ranges.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) })
        }
    }

    enum Attempt {
        case matched(end: Int)
        /// `leadingEnd`: where the first element, when it repeats, stopped (else the start).
        case failed(leadingEnd: Int)
        case undecided
    }

    func attempt(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, ranges: inout [Range<Int>], budget: inout Int)
        -> Attempt
    {
        var position = start
        var leadingEnd = start
        for (number, element) in elements.enumerated() {
            switch element {
            case .literal(let text):
                guard text.count <= bytes.count - position else { return .failed(leadingEnd: leadingEnd) }
                let equal = text.withUnsafeBufferPointer {
                    memcmp(bytes.baseAddress! + position, $0.baseAddress!, $0.count) == 0
                }
                guard equal else { return .failed(leadingEnd: leadingEnd) }
                position += text.count
                budget -= text.count
            case .characters(let members, let repeats, let allowsEmpty, let group):
                let begin = position
                if repeats {
                    while position < bytes.count {
                        let byte = bytes[position]
                        if byte >= 0x80 { return .undecided }
                        guard members.contains(byte) else { break }
                        position += 1
                    }
                    budget -= position - begin + 1
                    if number == 0 { leadingEnd = position }
                    if position == begin, !allowsEmpty { return .failed(leadingEnd: leadingEnd) }
                } else {
                    guard position < bytes.count else { return .failed(leadingEnd: leadingEnd) }
                    let byte = bytes[position]
                    if byte >= 0x80 { return .undecided }
                    guard members.contains(byte) else { return .failed(leadingEnd: leadingEnd) }
                    position += 1
                    budget -= 1
                }
                if let group, group < ranges.count { ranges[group] = begin..<position }
            }
            if budget < 0 { return .undecided }
        }
        return .matched(end: position)
    }

    /// A class and its quantifier at `index`: `\w \W \d \D \s \S`, `.` or a bracket of plain ASCII (no nested
    /// bracket or set operation, no escape but of a class or a punctuation character), then nothing, `+` or `*`
    /// (not lazy or possessive; `?` and `{}` are not taken). Nil when there is none, or its members cannot be had
    /// from ICU.
    static func run(_ bytes: [UInt8], at index: Int, group: Int?) -> (Element, Int)? {
        guard index < bytes.count else { return nil }
        var end: Int
        switch bytes[index] {
        case UInt8(ascii: "\\"):
            guard index + 1 < bytes.count, "wWdDsS".utf8.contains(bytes[index + 1]) else { return nil }
            end = index + 2
        case UInt8(ascii: "."):
            end = index + 1
        case UInt8(ascii: "["):
            var cursor = index + 1
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "^") { cursor += 1 }
            // `[]...]` and `[^]...]` read differently in different engines, `[:alpha:]` is a POSIX class in some:
            // not taken.
            guard cursor < bytes.count, bytes[cursor] != UInt8(ascii: "]"), bytes[cursor] != UInt8(ascii: ":")
            else { return nil }
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "]") {
                let byte = bytes[cursor]
                if byte == UInt8(ascii: "\\") {
                    // `\s`, `\d`, `\w` and their negations, or an escaped punctuation character (`\]`, `\-`); not
                    // `\p{...}`, `\x{...}`, `\N{...}` or `\Q`.
                    guard cursor + 1 < bytes.count,
                        "wWdDsS".utf8.contains(bytes[cursor + 1]) || isEscapableLiteral(bytes[cursor + 1])
                    else { return nil }
                    cursor += 2
                    continue
                }
                // A nested bracket, and the set operations `&&` and `--`.
                guard byte != UInt8(ascii: "["), byte != UInt8(ascii: "&"),
                    !(byte == UInt8(ascii: "-") && cursor + 1 < bytes.count && bytes[cursor + 1] == UInt8(ascii: "-"))
                else { return nil }
                cursor += 1
            }
            guard cursor < bytes.count else { return nil }
            end = cursor + 1
        default:
            return nil
        }
        let text = String(decoding: bytes[index..<end], as: UTF8.self)
        var repeats = false
        var allowsEmpty = false
        if end < bytes.count, bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "*") {
            repeats = true
            allowsEmpty = bytes[end] == UInt8(ascii: "*")
            end += 1
        }
        // `?`, `{n,m}`, and the lazy and possessive forms.
        guard !isQuantifier(bytes, at: end) else { return nil }
        guard let members = members(of: text) else { return nil }
        return (.characters(members, repeats: repeats, allowsEmpty: allowsEmpty, group: group), end)
    }

    /// The ASCII characters that ICU matches with `text`, a one-character class. Asked of ICU once per class text
    /// and kept: a rule set of 1,000 rules would otherwise ask 128 matches per class again at every reload.
    static func members(of text: String) -> CharacterClass? {
        if let known = knownClasses.withLock({ $0[text] }) { return known }
        let members = askICU(text)
        knownClasses.withLock { known in
            if known.count < 4_096 { known[text] = members }
        }
        return members
    }

    private static let knownClasses = Mutex<[String: CharacterClass?]>([:])

    private static func askICU(_ text: String) -> CharacterClass? {
        guard let regex = try? NSRegularExpression(pattern: "\\A(?:\(text))\\z") else { return nil }
        var members = CharacterClass()
        for byte in UInt8(0)..<0x80 {
            let one = String(Character(Unicode.Scalar(byte)))
            if regex.firstMatch(in: one, range: NSRange(location: 0, length: one.utf16.count)) != nil {
                members.insert(byte)
            }
        }
        return members
    }

    static func isQuantifier(_ bytes: [UInt8], at index: Int) -> Bool {
        index < bytes.count && "?*+{".utf8.contains(bytes[index])
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// Printable ASCII punctuation and space: escaped, they stand for themselves in ICU.
    static func isEscapableLiteral(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && !isNameByte(byte)
    }
}
