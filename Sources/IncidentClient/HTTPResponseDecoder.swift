/// Reads one HTTP/1.1 response from bytes as they arrive: the status line, the header fields, and a body framed by
/// `Content-Length`, by chunks (`Transfer-Encoding: chunked`) or by the end of the connection (RFC 9112 §6).
///
/// It is what `DaemonClient` reads the control socket's answers with, so incidentctl needs no HTTP library. The
/// answer comes from the daemon, but it is bounded as if it did not: the head, a chunk's size line and the trailers
/// by `maxHeadBytes`, the body by `maxBodyBytes`, and anything that is not HTTP/1.x is an error rather than a guess.
/// Each byte is looked at once, however the answer is split into reads.
public struct HTTPResponseDecoder: Sendable {
    /// What was read, once `isComplete`.
    public struct Response: Sendable, Equatable {
        public var status: Int
        /// Header fields in order, names as sent.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        /// The first field named `name`, compared without case.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public static func == (a: Response, b: Response) -> Bool {
            a.status == b.status && a.body == b.body && a.headers.map(\.name) == b.headers.map(\.name)
                && a.headers.map(\.value) == b.headers.map(\.value)
        }
    }

    /// Why the bytes are not a response this decoder accepts.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(_ message: String) { self.message = message }
    }

    enum State: Sendable, Equatable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    public let maxHeadBytes: Int
    public let maxBodyBytes: Int
    /// The request was `HEAD`: no body follows whatever the fields say.
    public let requestWasHead: Bool

    var state = State.head
    /// Bytes received and not yet consumed (a partial line, or the head until it is whole).
    var pending: [UInt8] = []
    /// Where the search for the head's end resumes, so that a head arriving a byte at a time is scanned once.
    var scanned = 0
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var trailerBytes = 0

    public init(maxHeadBytes: Int = 64 << 10, maxBodyBytes: Int = 64 << 20, requestWasHead: Bool = false) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.requestWasHead = requestWasHead
    }

    /// True once the whole response was read; bytes after it are an error (the request asked the server to close).
    public var isComplete: Bool { state == .done }

    /// The response, once `isComplete`.
    public var response: Response? {
        isComplete ? Response(status: status, headers: headers, body: body) : nil
    }

    /// Takes the next bytes of the connection.
    public mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(Failure) {
        guard !bytes.isEmpty else { return }
        if state == .done { throw Self.trailing(bytes.count) }
        pending.append(contentsOf: bytes)
        try advance()
    }

    /// The connection ended: a body framed by the end is complete now; anything else unfinished is an error.
    public mutating func finish() throws(Failure) {
        switch state {
        case .done:
            return
        case .untilClose:
            state = .done
        case .head:
            throw Failure(
                pending.isEmpty
                    ? "the daemon closed the connection without answering"
                    : "the daemon closed the connection in the middle of its response's head")
        case .fixed(let remaining):
            throw Failure("the daemon closed the connection \(remaining) bytes before the end of its response")
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            throw Failure("the daemon closed the connection in the middle of a chunked response")
        }
    }

    mutating func advance() throws(Failure) {
        var cursor = 0
        defer {
            if cursor > 0 {
                pending.removeFirst(cursor)
                scanned = max(0, scanned - cursor)
            }
        }
        while cursor < pending.count || state == .fixed(remaining: 0) {
            switch state {
            case .head:
                guard let end = headEnd(from: cursor) else {
                    // Past this, the CRLF CRLF could only begin after the bound (however the bytes were split).
                    if pending.count - cursor > maxHeadBytes + 3 {
                        throw Failure("the daemon's response head is longer than \(maxHeadBytes) bytes")
                    }
                    return
                }
                guard end - cursor <= maxHeadBytes else {
                    throw Failure("the daemon's response head is longer than \(maxHeadBytes) bytes")
                }
                try parseHead(pending[cursor..<end])
                cursor = end + 4
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    continue
                }
                let take = min(remaining, pending.count - cursor)
                body.append(contentsOf: pending[cursor..<(cursor + take)])
                cursor += take
                state = .fixed(remaining: remaining - take)
            case .untilClose:
                let take = pending.count - cursor
                guard body.count + take <= maxBodyBytes else { throw tooLong() }
                body.append(contentsOf: pending[cursor...])
                cursor = pending.count
            case .chunkSize:
                guard let line = try takeLine(from: &cursor, limit: 4096, what: "a chunk's size line") else { return }
                let size = try Self.chunkSize(line)
                guard size <= maxBodyBytes - body.count else { throw tooLong() }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, pending.count - cursor)
                body.append(contentsOf: pending[cursor..<(cursor + take)])
                cursor += take
                state = remaining == take ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                guard pending.count - cursor >= 2 else { return }
                guard pending[cursor] == 0x0D, pending[cursor + 1] == 0x0A else {
                    throw Failure("a chunk of the daemon's response does not end with CRLF")
                }
                cursor += 2
                state = .chunkSize
            case .trailers:
                let before = cursor
                guard let line = try takeLine(from: &cursor, limit: maxHeadBytes, what: "a trailer field") else {
                    return
                }
                trailerBytes += cursor - before
                guard trailerBytes <= maxHeadBytes else {
                    throw Failure("the daemon's trailer fields are longer than \(maxHeadBytes) bytes")
                }
                if line.isEmpty { state = .done }
            case .done:
                throw Self.trailing(pending.count - cursor)
            }
        }
    }

    static func trailing(_ count: Int) -> Failure {
        Failure("the daemon sent \(count) byte\(count == 1 ? "" : "s") after its response")
    }

    func tooLong() -> Failure {
        Failure("the daemon's response body is longer than \(maxBodyBytes) bytes")
    }

    /// The index of the CR of the CRLF CRLF that ends the head, searching from where the last search stopped.
    mutating func headEnd(from cursor: Int) -> Int? {
        var i = max(cursor, scanned)
        while i + 3 < pending.count {
            if pending[i] == 0x0D, pending[i + 1] == 0x0A, pending[i + 2] == 0x0D, pending[i + 3] == 0x0A { return i }
            i += 1
        }
        scanned = i
        return nil
    }

    /// A line ending in CRLF, without it, moving `cursor` past it; nil when the CRLF has not arrived yet (the
    /// next call resumes the search where this one stopped).
    mutating func takeLine(from cursor: inout Int, limit: Int, what: String) throws(Failure) -> ArraySlice<UInt8>? {
        var i = max(cursor, scanned)
        defer { scanned = i }
        while i + 1 < pending.count, i - cursor <= limit {
            if pending[i] == 0x0D {
                guard pending[i + 1] == 0x0A else { throw Failure("\(what) of the daemon's response has a bare CR") }
                let line = pending[cursor..<i]
                cursor = i + 2
                i = cursor
                return line
            }
            if pending[i] == 0x0A { throw Failure("\(what) of the daemon's response has a bare LF") }
            i += 1
        }
        if i - cursor > limit { throw Failure("\(what) of the daemon's response is longer than \(limit) bytes") }
        return nil
    }

    mutating func parseHead(_ head: ArraySlice<UInt8>) throws(Failure) {
        var lines = Self.split(head)
        guard !lines.isEmpty else { throw Failure("the daemon's response has no status line") }
        let statusLine = lines.removeFirst()
        // HTTP/1.x SP 3DIGIT [SP reason]
        let prefix = Array("HTTP/1.".utf8)
        guard statusLine.count >= 12, statusLine.starts(with: prefix) else {
            throw Failure("the daemon's answer is not HTTP/1.x: '\(Self.shown(statusLine.prefix(40)))'")
        }
        let rest = Array(statusLine.dropFirst(prefix.count))
        guard rest[0] == 0x30 || rest[0] == 0x31, rest[1] == 0x20,
            rest[2...4].allSatisfy({ (0x30...0x39).contains($0) }),
            rest.count == 5 || rest[5] == 0x20
        else {
            throw Failure("the daemon's status line is malformed: '\(Self.shown(statusLine.prefix(80)))'")
        }
        status = rest[2...4].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (200...599).contains(status) else {
            throw Failure("the daemon answered with status \(status), which a request without Expect never gets")
        }

        var contentLength: Int?
        var chunked = false
        for line in lines {
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else {
                throw Failure("a header field of the daemon's response is malformed: '\(Self.shown(line.prefix(80)))'")
            }
            let nameBytes = line[line.startIndex..<colon]
            guard nameBytes.allSatisfy(Self.isTokenByte) else {
                throw Failure("a header field's name is malformed: '\(Self.shown(nameBytes.prefix(80)))'")
            }
            let valueBytes = Self.trimmed(line[(colon + 1)...])
            guard valueBytes.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else {
                throw Failure("the value of '\(Self.shown(nameBytes))' holds a control character")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let value = String(decoding: valueBytes, as: UTF8.self)
            headers.append((name, value))
            switch name.lowercased() {
            case "content-length":
                guard !valueBytes.isEmpty, valueBytes.count <= 18, valueBytes.allSatisfy({ (0x30...0x39).contains($0) })
                else {
                    throw Failure("the daemon's Content-Length is not a number: '\(Self.shown(valueBytes.prefix(40)))'")
                }
                let length = valueBytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if let contentLength, contentLength != length {
                    throw Failure("the daemon sent two different Content-Lengths")
                }
                contentLength = length
            case "transfer-encoding":
                // Only chunked is understood, and it must be the last coding (RFC 9112 §6.3).
                let codings = value.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
                guard codings == ["chunked"] else {
                    throw Failure(
                        "the daemon's Transfer-Encoding '\(Self.shown(valueBytes.prefix(40)))' is not chunked")
                }
                chunked = true
            default:
                break
            }
        }
        if requestWasHead || status == 204 || status == 304 {
            state = .fixed(remaining: 0)
        } else if chunked {
            state = .chunkSize
        } else if let contentLength {
            guard contentLength <= maxBodyBytes else { throw tooLong() }
            body.reserveCapacity(contentLength)
            state = .fixed(remaining: contentLength)
        } else {
            state = .untilClose
        }
    }

    static func chunkSize(_ line: ArraySlice<UInt8>) throws(Failure) -> Int {
        // 1*HEXDIG [ chunk-ext ]; extensions are ignored.
        let digits = line.prefix { Self.hexValue($0) != nil }
        guard !digits.isEmpty else {
            throw Failure("a chunk's size is not hexadecimal: '\(Self.shown(line.prefix(40)))'")
        }
        let after = line[digits.endIndex...]
        guard after.isEmpty || after.first == 0x3B || after.first == 0x20 || after.first == 0x09 else {
            throw Failure("a chunk's size is not hexadecimal: '\(Self.shown(line.prefix(40)))'")
        }
        let significant = digits.drop { $0 == 0x30 }
        guard significant.count <= 15 else { throw Failure("a chunk's size is too large") }
        return significant.reduce(0) { $0 << 4 | Int(Self.hexValue($1)!) }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// The head's lines, split at CRLF; a bare CR or LF is kept inside its line, where the field checks refuse it.
    static func split(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == 0x0D, i + 1 < head.endIndex, head[i + 1] == 0x0A {
                lines.append(head[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    /// Bytes for an error message: printable ASCII as is, anything else as \xNN, so that nothing the socket sent
    /// reaches the terminal raw.
    static func shown<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = ""
        for byte in bytes {
            if (0x20..<0x7F).contains(byte), byte != 0x5C {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + hexByte(byte)
            }
        }
        return text
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}

/// Two uppercase hex digits.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
}
