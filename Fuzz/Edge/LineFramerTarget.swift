#if DEBUG
    import FuzzSupport
    import NIOCore

    @testable import IncidentIngest

    /// `LineFramer`, which splits what a socket client writes into lines: the first byte sets `maxLineBytes`
    /// (1...256), the second seeds the chunk sizes the stream arrives in, the rest is the stream. Whatever the
    /// chunking, the frames are those of splitting the whole stream at `\n` (one `\r` before it dropped, lines
    /// longer than the limit reported as too long, numbered from 1), and after `next()` returns nil no more than
    /// `maxLineBytes + 1` bytes are held.
    enum LineFramerTarget {
        static let target = FuzzTarget("line-framer") { data in
            let bytes = Array(data)
            guard bytes.count >= 2 else { return }
            let maxLineBytes = Int(bytes[0]) + 1
            var seed = UInt32(bytes[1]) &* 2_654_435_761 | 1
            let stream = bytes[2...]
            var framer = LineFramer(maxLineBytes: maxLineBytes)
            var frames: [LineFramer.Frame] = []
            var offset = stream.startIndex
            while offset < stream.endIndex {
                seed = seed &* 1_103_515_245 &+ 12_345
                let size = Int(seed >> 16) % 64 + 1
                let end = min(stream.endIndex, offset + size)
                framer.append(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
                while let frame = framer.next() { frames.append(frame) }
                FuzzCheck.require(
                    framer.bufferedBytes <= maxLineBytes + 1, "holds \(framer.bufferedBytes) bytes after next()")
            }
            if let last = framer.finish() { frames.append(last) }
            FuzzCheck.require(framer.bufferedBytes == 0, "holds bytes after finish()")
            let expected = reference(stream, maxLineBytes: maxLineBytes)
            FuzzCheck.require(frames == expected, "frames \(frames), expected \(expected)")
        }

        /// The frames by the definition: split at every `\n`, the unterminated rest a last line if not empty.
        static func reference(_ stream: ArraySlice<UInt8>, maxLineBytes: Int) -> [LineFramer.Frame] {
            var pieces = stream.split(separator: 0x0A, omittingEmptySubsequences: false)
            if pieces.last?.isEmpty ?? false { pieces.removeLast() }
            return pieces.enumerated().map { index, piece in
                let line = piece.last == 0x0D ? piece.dropLast() : piece
                return line.count > maxLineBytes
                    ? .tooLong(number: index + 1) : .line(number: index + 1, bytes: ByteBuffer(bytes: line))
            }
        }
    }
#endif
