import IncidentCore

/// A narrow JSON reader for the common case of generic alerts: an object (or an array of objects) whose
/// `labels` and `annotations` are objects of strings and whose other known keys are strings. It exists because
/// decoding a socket line through `JSONSerialization` or `JSONDecoder` cost a third of the daemon's CPU.
///
/// It never decides alone: anything outside that shape — numbers or nulls as values, bad escapes, trailing
/// bytes, deep nesting — makes it return nil, and the general decoder (with its exact error messages) handles
/// the input. A test checks that both paths agree.
struct PlainAlertParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The alerts, or nil when the input is not plainly of that shape.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [PayloadDecoder.PlainAlert]? {
        var parser = PlainAlertParser(bytes)
        parser.skipSpace()
        var alerts: [PayloadDecoder.PlainAlert] = []
        if parser.peek == UInt8(ascii: "[") {
            parser.i += 1
            parser.skipSpace()
            if parser.peek == UInt8(ascii: "]") { return nil }
            while true {
                guard let alert = parser.alert() else { return nil }
                alerts.append(alert)
                parser.skipSpace()
                if parser.peek == UInt8(ascii: ",") {
                    parser.i += 1
                    parser.skipSpace()
                    continue
                }
                guard parser.peek == UInt8(ascii: "]") else { return nil }
                parser.i += 1
                break
            }
        } else {
            guard let alert = parser.alert() else { return nil }
            alerts.append(alert)
        }
        parser.skipSpace()
        return parser.i == bytes.count ? alerts : nil
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func alert() -> PayloadDecoder.PlainAlert? {
        var labels: Labels?
        var alert = PayloadDecoder.PlainAlert(labels: Labels())
        let ok = object { parser, key in
            switch key {
            case "labels":
                guard labels == nil, let map = parser.stringMap() else { return false }
                labels = map
            case "annotations":
                guard alert.annotations == nil, let map = parser.stringMap() else { return false }
                alert.annotations = map
            case "status", "startsAt", "endsAt", "generatorURL":
                guard let value = parser.string() else { return false }
                switch key {
                case "status": alert.status = value
                case "startsAt": alert.startsAt = value
                case "endsAt": alert.endsAt = value
                default: alert.generatorURL = value
                }
            default:
                // Other keys (Alertmanager's own, say) are ignored by both paths; only their shape is checked.
                return parser.skipValue(depth: 0)
            }
            return true
        }
        guard ok, let labels else { return nil }
        alert.labels = labels
        return alert
    }

    /// Reads `{ "key": value, ... }`, calling `member` positioned at each value. Duplicate keys are refused.
    private mutating func object(_ member: (inout PlainAlertParser, String) -> Bool) -> Bool {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return true
        }
        // A few keys per object: a linear check beats hashing; past 64 keys the general path takes over.
        var seen: [String] = []
        while true {
            skipSpace()
            guard let key = string(), seen.count < 64, !seen.contains(key) else { return false }
            seen.append(key)
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard peek == UInt8(ascii: "}") else { return false }
            i += 1
            return true
        }
    }

    /// An object of strings, straight into a sorted label set: `object` has refused a repeated key already, so no
    /// dictionary is needed to find one (two dictionaries an alert, with the error paths built per alert, were a
    /// quarter of the decoding's instructions, issue 16).
    private mutating func stringMap() -> Labels? {
        var pairs: [(String, String)] = []
        let ok = object { parser, key in
            guard let value = parser.string() else { return false }
            pairs.append((key, value))
            return true
        }
        return ok ? Labels(pairs) : nil
    }

    /// A string without escapes is sliced directly; one with simple escapes is unescaped; `\u` escapes are left
    /// to the general path.
    private mutating func string() -> String? { JSONString.read(bytes, at: &i, escapes: .simple) }

    /// Skips one JSON value of any kind, so the shape of ignored keys is still checked.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 64 else { return false }
        skipSpace()
        guard let b = peek else { return false }
        switch b {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"):
            return object { parser, _ in parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "]") {
                i += 1
                return true
            }
            while true {
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                guard peek == UInt8(ascii: "]") else { return false }
                i += 1
                return true
            }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // Numbers only in ignored keys, but still exactly JSON's grammar: `Double` also takes `1.`, `.5e3`
            // or `01`, which JSONSerialization refuses, and the two paths must accept the same input.
            return number()
        default: return false
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, JSON's number, and one a `Double` can hold:
    /// JSONSerialization refuses a number beyond `Double`'s range (`1e309`), so the fast path must not take it.
    private mutating func number() -> Bool {
        let start = i
        guard grammaticalNumber() else { return false }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        return Double(text)?.isFinite == true
    }

    private mutating func grammaticalNumber() -> Bool {
        func digits(_ parser: inout PlainAlertParser) -> Int {
            let start = parser.i
            while let b = parser.peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { parser.i += 1 }
            return parser.i - start
        }
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
        } else if digits(&self) == 0 {
            return false
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { return false }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { return false }
        }
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }
}
