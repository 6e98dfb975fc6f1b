/// The one JSON string writer and reader behind the narrow, hand-written JSON paths: `Labels.jsonText` and its
/// reader `Labels(jsonText:)`, and the payload decoders' fast path (`PlainAlertParser`). Each reader accepts only
/// the escapes it names and gives nil for anything else, so its caller hands the input to the general decoder
/// (`JSONDecoder`, `JSONSerialization`) with its exact errors.
public enum JSONString {
    /// Which escapes a reader accepts.
    public enum Escapes: Sendable {
        /// Exactly what `append` writes: `\"`, `\\`, `\n`, `\r`, `\t`, and `\u00xx` (lower-case hex) for the other
        /// control characters, never for those three. Stored text reads back byte for byte.
        case asWritten
        /// The single-character escapes of RFC 8259 (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`) and no `\u`:
        /// what senders write in the common case, leaving unicode escapes and surrogate pairs to the general path.
        case simple
    }

    /// How `append` writes backspace and form feed.
    public enum Output: Sendable {
        /// `\u0008` and `\u000c`, like every control character other than `\n`, `\r`, `\t`: what
        /// `Labels.jsonText` stores and `.asWritten` reads back.
        case stored
        /// `\b` and `\f`: byte for byte what `JSONEncoder` writes (`JSONWriter`'s documents).
        case encoder
    }

    /// Appends `string` as a JSON string literal, quotes included: what `JSONEncoder` writes with
    /// `.withoutEscapingSlashes` (`\"`, `\\`, `\n`, `\r`, `\t`, and `\u00xx` in lower case for the other
    /// control characters), with backspace and form feed as `output` says.
    public static func append(_ string: String, to out: inout [UInt8], output: Output = .stored) {
        out.append(UInt8(ascii: "\""))
        // A native string's bytes in place; another is made contiguous first.
        if string.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &out, output: output) }) == nil {
            var string = string
            string.withUTF8 { appendEscaped($0, to: &out, output: output) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `bytes` with the escapes `append` writes. Runs of bytes that need no escape (nearly all of a label) are
    /// copied whole; the store writes every event's and alert's labels, and a byte-by-byte append was most of that
    /// cost (issue 16). A plain index loop: in the daemon's build, a `for` over `0..<count` went through the
    /// range's iterator and `Int`'s protocol witnesses for every byte.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], output: Output) {
        var run = 0
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            i += 1
            run = i
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08 where output == .encoder: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C where output == .encoder: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            default:
                out.append(contentsOf: [
                    0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            }
        }
        if run < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Reads the string literal that starts at `i` (its opening quote) and moves `i` past its closing quote. Nil,
    /// with `i` somewhere inside, when there is no literal there, it is not closed, it holds a raw control
    /// character, or an escape that `escapes` does not accept.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, at i: inout Int, escapes: Escapes) -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        var escaped = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
                i += 1
                return escaped ? unescape(raw) : String(decoding: raw, as: UTF8.self)
            }
            if b < 0x20 { return nil }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard i + 1 < bytes.count, let length = escapeLength(bytes, at: i, escapes: escapes) else { return nil }
                i += length
                continue
            }
            i += 1
        }
        return nil
    }

    /// The length of the escape at `i` (its backslash, with at least one byte after it), or nil if `escapes` does
    /// not accept it.
    private static func escapeLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, escapes: Escapes) -> Int? {
        switch (bytes[i + 1], escapes) {
        case (UInt8(ascii: "\""), _), (UInt8(ascii: "\\"), _), (UInt8(ascii: "n"), _), (UInt8(ascii: "r"), _),
            (UInt8(ascii: "t"), _):
            return 2
        case (UInt8(ascii: "/"), .simple), (UInt8(ascii: "b"), .simple), (UInt8(ascii: "f"), .simple):
            return 2
        case (UInt8(ascii: "u"), .asWritten):
            // Only as `append` writes a control character: \u00xx in lower case, below 0x20, and not the three
            // it writes as \n, \r and \t.
            guard i + 5 < bytes.count, bytes[i + 2] == 0x30, bytes[i + 3] == 0x30,
                let high = lowerHexDigit(bytes[i + 4]), let low = lowerHexDigit(bytes[i + 5]), high < 2
            else { return nil }
            let code = high << 4 | low
            guard code != 0x09, code != 0x0A, code != 0x0D else { return nil }
            return 6
        default:
            return nil
        }
    }

    /// A lower-case hex digit's value.
    private static func lowerHexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The escapes `read` let through, already checked: single characters and `\u00xx`.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            let b = raw[j]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                j += 1
                continue
            }
            switch raw[j + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                out.append((lowerHexDigit(raw[j + 4]) ?? 0) << 4 | (lowerHexDigit(raw[j + 5]) ?? 0))
                j += 6
                continue
            default: out.append(raw[j + 1])
            }
            j += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
