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
