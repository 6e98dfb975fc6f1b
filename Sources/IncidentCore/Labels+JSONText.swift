extension Labels {
    /// The labels as a JSON object with keys in sorted order: what `JSONEncoder` with `.sortedKeys` writes, at a
    /// fraction of its cost (the store writes one per event and per alert).
    public var jsonText: String {
        var out: [UInt8] = []
        // Quotes, colon and comma: 6 bytes a label besides its text, one too many for the last label's comma
        // (more only where a byte needs an escape).
        out.reserveCapacity(reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 6 })
        appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `jsonText`'s bytes to `out`: what the store binds straight from a buffer it reuses for every row,
    /// without making a `String` of each event's and alert's labels (BENCHMARKS.md, issue 16). The text holds no
    /// NUL byte: a control character is written as an escape. It reserves nothing: `out` grows as an array does,
    /// so that appending many label sets to one buffer stays linear.
    public func appendJSON(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, label) in enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(label.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONString.append(label.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension Labels {
    /// `string` as a JSON string literal, quotes included.
    public static func jsonString(_ string: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        JSONString.append(string, to: &out)
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
        func string() -> String? { JSONString.read(bytes, at: &i, escapes: .asWritten) }
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
}
