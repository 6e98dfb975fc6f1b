import Glibc
import NIOCore

/// Splits what a socket client writes into lines, refusing over-long lines without ever holding one whole.
///
/// A pure state machine: the connection appends each chunk it reads and takes frames until there are none.
/// Memory stays below `maxLineBytes` plus one chunk, whatever the client sends: the bytes of a line found too
/// long are dropped as they arrive, up to its newline.
struct LineFramer {
    /// One unit of the protocol; `number` counts every line of the connection from 1, blank ones included.
    enum Frame: Equatable, Sendable {
        /// A complete line without its `\n` (or `\r\n`).
        case line(number: Int, bytes: ByteBuffer)
        /// A line longer than `maxLineBytes`; its bytes are discarded.
        case tooLong(number: Int)
    }

    let maxLineBytes: Int
    private var pending = ByteBuffer()
    /// How many bytes at the front of `pending` are known to hold no newline, so they are not searched again.
    private var searched = 0
    /// Inside a line already reported too long: drop bytes until its newline.
    private var discarding = false
    /// The number of the last line framed.
    private(set) var lineNumber = 0

    init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "max_line_bytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held for an unfinished line; never more than `maxLineBytes + 1` after `next()` returned nil.
    var bufferedBytes: Int { pending.readableBytes }

    /// Adds what was read from the socket.
    mutating func append(_ chunk: ByteBuffer) {
        if pending.readableBytes == 0 {
            // The common case: the previous chunk ended with a newline, so the new one is taken without a copy.
            pending = chunk
            searched = 0
        } else {
            // Moving the unfinished line to the front keeps the buffer from growing with every chunk of a
            // long-lived connection.
            pending.discardReadBytes()
            pending.writeImmutableBuffer(chunk)
        }
    }

    /// The next complete frame, or nil when more bytes are needed.
    mutating func next() -> Frame? {
        while true {
            let skip = searched
            let found: Int? = pending.withUnsafeReadableBytes { raw in
                guard raw.count > skip, let base = raw.baseAddress,
                    let hit = memchr(base + skip, Int32(UInt8(ascii: "\n")), raw.count - skip)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            guard let length = found else {
                if discarding {
                    dropPending()
                    return nil
                }
                searched = pending.readableBytes
                // One byte more than the limit may still be the `\r` of a `\r\n` that has not arrived yet.
                guard pending.readableBytes > maxLineBytes + 1 else { return nil }
                dropPending()
                discarding = true
                lineNumber += 1
                return .tooLong(number: lineNumber)
            }
            searched = 0
            if discarding {
                pending.moveReaderIndex(forwardBy: length + 1)
                discarding = false
                continue
            }
            lineNumber += 1
            var line = pending.readSlice(length: length)!
            pending.moveReaderIndex(forwardBy: 1)
            return frame(Self.strippingCarriageReturn(&line))
        }
    }

    /// What is left when the client closed its side: a last line without a newline, if any.
    mutating func finish() -> Frame? {
        defer {
            dropPending()
            discarding = false
        }
        guard !discarding, pending.readableBytes > 0 else { return nil }
        lineNumber += 1
        var line = pending.readSlice(length: pending.readableBytes)!
        return frame(Self.strippingCarriageReturn(&line))
    }

    /// Forgets the held bytes without allocating: the next chunk then replaces the buffer.
    private mutating func dropPending() {
        pending.moveReaderIndex(to: pending.writerIndex)
        searched = 0
    }

    private func frame(_ line: ByteBuffer) -> Frame {
        line.readableBytes > maxLineBytes ? .tooLong(number: lineNumber) : .line(number: lineNumber, bytes: line)
    }

    private static func strippingCarriageReturn(_ line: inout ByteBuffer) -> ByteBuffer {
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return line
    }
}
