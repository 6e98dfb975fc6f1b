import NIOCore
import Testing

@testable import IncidentIngest

/// The socket protocol's framing on its own: lines, numbers, `\r\n`, blank lines and over-long lines.
struct LineFramerTests {
    func frames(_ chunks: [String], max: Int = 64) -> [String] {
        var framer = LineFramer(maxLineBytes: max)
        var out: [String] = []
        for chunk in chunks {
            framer.append(ByteBuffer(string: chunk))
            while let frame = framer.next() { out.append(describe(frame)) }
        }
        if let frame = framer.finish() { out.append(describe(frame)) }
        return out
    }

    func describe(_ frame: LineFramer.Frame) -> String {
        switch frame {
        case .line(let number, let bytes): "\(number):\(String(buffer: bytes))"
        case .tooLong(let number): "\(number):too long"
        }
    }

    @Test func linesAreSplitWhereverTheChunksEnd() {
        #expect(frames(["a\nbb", "b\n\nc", "c\r", "\nd"]) == ["1:a", "2:bbb", "3:", "4:cc", "5:d"])
    }

    @Test func aLineOfExactlyTheLimitIsKeptAndOneByteMoreIsTooLong() {
        let exact = String(repeating: "x", count: 64)
        #expect(frames([exact + "\r\n", exact + "y\n", "z\n"]) == ["1:" + exact, "2:too long", "3:z"])
        #expect(frames([exact + "\r", "\n"]) == ["1:" + exact])
    }

    @Test func aTooLongLineIsReportedOnceAndSkippedToItsNewline() {
        let long = String(repeating: "x", count: 100)
        #expect(frames([long, long, long + "\nnext\n"]) == ["1:too long", "2:next"])
        #expect(frames([long]) == ["1:too long"])
    }

    @Test func aHundredMegabyteLineNeverHoldsMoreThanTheLimitAndAChunk() {
        let limit = 65_536
        var framer = LineFramer(maxLineBytes: limit)
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 65_536)
        var frames: [LineFramer.Frame] = []
        var most = 0
        for _ in 0..<(100 * 16) {
            framer.append(chunk)
            most = max(most, framer.bufferedBytes)
            while let frame = framer.next() { frames.append(frame) }
        }
        framer.append(ByteBuffer(string: "\n{\"ok\":1}\n"))
        while let frame = framer.next() { frames.append(frame) }
        #expect(frames == [.tooLong(number: 1), .line(number: 2, bytes: ByteBuffer(string: "{\"ok\":1}"))])
        #expect(most <= limit + 1 + chunk.readableBytes)
    }
}
