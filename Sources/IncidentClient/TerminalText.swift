/// Text from the daemon made safe to print: a label or comment is whatever someone sent, and escape sequences in
/// it must not move the cursor, retitle the terminal or hide the rest of the line.
public enum TerminalText {
    /// Control characters (C0, DEL, C1) and the bidirectional overrides written as `\u{…}`; everything else kept.
    public static func safe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isControl = v < 0x20 || (0x7F...0x9F).contains(v)
            let isBidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
            if isControl || isBidi {
                out += "\\u{\(String(v, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
