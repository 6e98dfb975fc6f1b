extension Labels {
    /// The labels as a JSON object with keys in sorted order: what `JSONEncoder` with `.sortedKeys` writes, at a
    /// fraction of its cost (the store writes one per event and per alert).
    public var jsonText: String {
        var out: [UInt8] = []
        out.reserveCapacity(2 + count * 24)
        out.append(UInt8(ascii: "{"))
        for (i, label) in enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendJSONString(label.name, to: &out)
            out.append(UInt8(ascii: ":"))
            Self.appendJSONString(label.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    static func appendJSONString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension Labels {
    /// `string` as a JSON string literal, quotes included.
    public static func jsonString(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        appendJSONString(string, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension Labels {
    /// Reads back what `jsonText` writes: a flat object of strings with no white space, keys in strictly
    /// ascending order, and only the escapes `jsonText` uses (`\"`, `\\`, `\n`, `\r`, `\t`, and `\u00xx` for the
    /// other control characters).
    /// Anything else gives nil, and the caller reads the text with `JSONDecoder` (with its errors): the stores
    /// read labels with this on every alert, incident and event row, where `JSONDecoder` was the largest cost of a
    /// read. The `labels-json` fuzz target checks that what this accepts, `JSONDecoder` reads the same.
    public init?(jsonText text: String) {
        var text = text
        let parsed = text.withUTF8 { Self.parseJSONText($0) }
        guard let parsed else { return nil }
        self.init(parsed)
    }

    private static func parseJSONText(_ bytes: UnsafeBufferPointer<UInt8>) -> [(String, String)]? {
        var i = 0
        func string() -> String? {
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
                    guard i + 1 < bytes.count else { return nil }
                    switch bytes[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"),
                        UInt8(ascii: "t"):
                        i += 2
                        continue
                    case UInt8(ascii: "u"):
                        // Only as `jsonText` writes a control character: \u00xx in lower case, below 0x20, and
                        // not the three it writes as \n, \r and \t.
                        guard i + 5 < bytes.count, bytes[i + 2] == 0x30, bytes[i + 3] == 0x30,
                            let high = hexDigit(bytes[i + 4]), let low = hexDigit(bytes[i + 5]), high < 2
                        else { return nil }
                        let code = high << 4 | low
                        guard code != 0x09, code != 0x0A, code != 0x0D else { return nil }
                        i += 6
                        continue
                    default:
                        return nil
                    }
                }
                i += 1
            }
            return nil
        }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "{") else { return nil }
        i = 1
        var pairs: [(String, String)] = []
        if bytes[i] == UInt8(ascii: "}") {
            return i + 1 == bytes.count ? pairs : nil
        }
        while true {
            guard let name = string(), i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            guard let value = string(), i < bytes.count else { return nil }
            // Strictly ascending, as `jsonText` writes them: a repeated or unordered name is for the general path.
            if let last = pairs.last, !(last.0 < name) { return nil }
            pairs.append((name, value))
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "}"), i + 1 == bytes.count else { return nil }
            return pairs
        }
    }

    /// A lower-case hex digit's value, as `jsonText` writes them.
    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The escapes `parseJSONText` let through, already checked.
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
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                out.append((hexDigit(raw[j + 4]) ?? 0) << 4 | (hexDigit(raw[j + 5]) ?? 0))
                j += 6
                continue
            default: out.append(raw[j + 1])
            }
            j += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
