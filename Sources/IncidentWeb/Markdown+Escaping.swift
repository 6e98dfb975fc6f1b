extension Markdown {
    /// Appends `byte` with the five HTML-special characters as entities.
    static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "&"): out += "&amp;".utf8
        case UInt8(ascii: "<"): out += "&lt;".utf8
        case UInt8(ascii: ">"): out += "&gt;".utf8
        case UInt8(ascii: "\""): out += "&quot;".utf8
        case UInt8(ascii: "'"): out += "&#39;".utf8
        default: out.append(byte)
        }
    }

    /// Appends `bytes`, escaped.
    static func escape(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes { escape(byte, into: &out) }
    }

    /// Appends markup the renderer itself writes.
    static func emit(_ text: String, into out: inout [UInt8]) {
        out += text.utf8
    }

    /// Whether a link may point at `url`: web pages, mail, and the knowledge base's own pages. The check is on
    /// the raw text, which the browser receives escaped but otherwise unchanged, so entities and case cannot
    /// smuggle another scheme through.
    static func isSafeURL(_ url: ArraySlice<UInt8>) -> Bool {
        let lower = url.prefix(8).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        func starts(_ prefix: String) -> Bool { lower.starts(with: prefix.utf8) }
        if starts("https://") || starts("http://") { return url.count > (starts("https://") ? 8 : 7) }
        if starts("mailto:") { return url.count > 7 }
        return url.starts(with: "/kb/".utf8)
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }
    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
            || (0x7B...0x7E).contains(byte)
    }
}
