/// Which URLs from alert senders and article authors may become links. Everything else is shown as text:
/// `javascript:`, `data:`, `vbscript:` and any scheme but http and https, protocol-relative `//host`, and any URL
/// with white space or control characters (which browsers strip, so `java\nscript:` would otherwise pass).
public enum SafeLink {
    /// The URL when it is http(s) or a same-site path, else nil.
    public static func href(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 2048,
            !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.properties.isWhitespace })
        else { return nil }
        if text.hasPrefix("/") { return text.hasPrefix("//") || text.hasPrefix("/\\") ? nil : text }
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        return text
    }

    /// `value` percent-encoded for a query string (unreserved characters kept).
    public static func queryValue(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return out
    }
}
