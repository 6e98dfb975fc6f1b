import IncidentCore
import NIOCore

/// The one line the socket source answers each input line with (SPEC §2, §4).
///
/// `{"ok":true,"accepted":N,"incidents":["INC-3"]}` once the line's events are committed, or
/// `{"ok":false,"line":K,"code":"bad-json","error":"..."}` naming the 1-based line of the connection.
/// Written by hand so that `ok` comes first, as a person reading the replies expects.
enum SocketReply: Sendable, Equatable {
    case accepted(IngestReceipt)
    case refused(line: Int, code: String, message: String)

    var isAccepted: Bool {
        if case .accepted = self { true } else { false }
    }

    /// Appends the reply and its newline.
    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .accepted(let receipt):
            buffer.writeString(#"{"ok":true,"accepted":"#)
            buffer.writeString(String(receipt.accepted))
            buffer.writeString(#","incidents":["#)
            for (index, incident) in receipt.incidents.enumerated() {
                if index > 0 { buffer.writeString(",") }
                Self.writeQuoted(incident, into: &buffer)
            }
            buffer.writeString("]}\n")
        case .refused(let line, let code, let message):
            buffer.writeString(#"{"ok":false,"line":"#)
            buffer.writeString(String(line))
            buffer.writeString(#","code":"#)
            Self.writeQuoted(code, into: &buffer)
            buffer.writeString(#","error":"#)
            Self.writeQuoted(message, into: &buffer)
            buffer.writeString("}\n")
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func writeQuoted(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeString(#"\""#)
            case UInt8(ascii: "\\"): buffer.writeString(#"\\"#)
            case UInt8(ascii: "\n"): buffer.writeString(#"\n"#)
            case UInt8(ascii: "\r"): buffer.writeString(#"\r"#)
            case UInt8(ascii: "\t"): buffer.writeString(#"\t"#)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                buffer.writeString(#"\u00"# + (hex.count == 1 ? "0" + hex : hex))
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
