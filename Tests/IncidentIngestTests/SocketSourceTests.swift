import Foundation
import Glibc
import IncidentCore
import IncidentIngest
import Testing

/// The Unix-socket source over real sockets: plain blocking clients write NDJSON and read the replies.
@Suite(.serialized)
struct SocketSourceTests {
    /// One alert line whose `seq` label comes back in the reply as `INC-<seq>` (the fake sink does that).
    static func line(_ seq: String, padding: Int = 0) -> Data {
        let pad = padding > 0 ? #","annotations":{"pad":""# + String(repeating: "p", count: padding) + #""}"# : ""
        return Data(#"{"labels":{"alertname":"SocketTest","seq":"\#(seq)"}\#(pad)}"#.utf8)
    }

    static func ok(_ seq: String) -> String { #"{"ok":true,"accepted":1,"incidents":["INC-\#(seq)"]}"# }

    /// Runs a socket source on a fresh path while `body` talks to it.
    func withSocket<R>(
        sink: FakeSink, maxLineBytes: Int = 1_048_576, maxPendingLines: Int = 4096,
        _ body: (SocketSource, String) async throws -> R
    ) async throws -> R {
        try await withTemporaryDirectory { dir in
            let path = dir + "/ingest.sock"
            let source = SocketSource(
                configuration: .init(
                    path: path, mode: 0o600, maxLineBytes: maxLineBytes, maxPendingLines: maxPendingLines),
                decoder: PayloadDecoder(), sink: sink, logger: quietLogger)
            return try await withRunning(source) { _ in
                try await source.ready()
                return try await body(source, path)
            }
        }
    }

    @Test func concurrentPipelinedClientsGetEveryReplyInOrder() async throws {
        // Commits finish out of order; the replies must not.
        let sink = FakeSink(mode: .commitLate(maxMicroseconds: 2000))
        let clients = 6
        let lines = 300
        try await withSocket(sink: sink) { source, path in
            try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for c in 0..<clients {
                    group.addTask {
                        let client = try LineClient.connect(path)
                        defer { client.close() }
                        let payload = (0..<lines).map { Self.line("\(c)-\($0)") }
                        async let sent: Void = client.send(lines: payload)
                        let replies = try await client.readLines(lines)
                        try await sent
                        return (c, replies)
                    }
                }
                for try await (c, replies) in group {
                    #expect(replies == (0..<lines).map { Self.ok("\(c)-\($0)") }, "client \(c)")
                }
            }
            #expect(sink.submitted == clients * lines)
            #expect(source.counters.linesAccepted == clients * lines)
            #expect(source.counters.linesFailed == 0)
            #expect(await eventually { source.counters.connectionsOpen == 0 })
            #expect(source.counters.connectionsAccepted == clients)
        }
    }

    /// A line the decoder refuses, and the code its reply must carry.
    struct BadLine: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: Data
        var code: String
        var says: String
        var testDescription: String { name }

        static let all = [
            BadLine(
                name: "malformed JSON", bytes: Data(#"{"labels":{"a":}"#.utf8), code: "bad-json", says: "not valid JSON"
            ),
            BadLine(
                name: "truncated JSON", bytes: SocketSourceTests.line("x").prefix(20), code: "bad-json",
                says: "truncated or malformed"),
            BadLine(
                name: "invalid UTF-8",
                bytes: Data(#"{"labels":{"a":""#.utf8) + Data([0xC3, 0x28]) + Data(#""}}"#.utf8),
                code: "not-utf8", says: "not valid UTF-8"),
            BadLine(name: "empty labels", bytes: Data(#"{"labels":{}}"#.utf8), code: "no-labels", says: "labels"),
            BadLine(name: "a number", bytes: Data("42".utf8), code: "bad-shape", says: "must be an object"),
            BadLine(
                name: "a webhook", bytes: Data(#"{"version":"4","alerts":[]}"#.utf8), code: "no-labels",
                says: "labels"),
        ]
    }

    /// The lines of one read go to the sink in one call (one hop onto the pipeline, not one per line), each
    /// with its own ticket; a bad line among them is refused in its place and its neighbours are accepted.
    @Test func theLinesOfOneReadAreHandedOverTogether() async throws {
        let sink = FakeSink()
        let lines = 300
        try await withSocket(sink: sink) { source, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            var payload = Data()
            for i in 0..<lines {
                payload += i == 150 ? Data("{not json".utf8) : Self.line("\(i)")
                payload += Data("\n".utf8)
            }
            // One write of about 16 KB: the source reads it in a few reads, not 300.
            try await client.send(payload)
            let replies = try await client.readLines(lines)
            #expect(replies.count == lines)
            for (i, reply) in replies.enumerated() {
                if i == 150 {
                    #expect(reply.contains(#""ok":false"#) && reply.contains(#""line":151"#), "\(reply)")
                } else {
                    #expect(reply == Self.ok("\(i)"))
                }
            }
            #expect(sink.groups.reduce(0, +) == lines - 1)
            #expect(sink.groups.count < 30, "\(sink.groups.count) calls for \(lines - 1) lines")
            #expect(source.counters.linesFailed == 1)
        }
    }

    @Test(arguments: BadLine.all)
    func aBadLineGetsAnErrorReplyAndItsNeighboursAreAccepted(_ bad: BadLine) async throws {
        let sink = FakeSink()
        try await withSocket(sink: sink) { source, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            try await client.send(lines: [Self.line("1"), bad.bytes, Self.line("3")])
            let replies = try await client.readLines(3)
            #expect(replies.count == 3)
            #expect(replies.first == Self.ok("1"))
            #expect(replies.last == Self.ok("3"))
            let error = try #require(
                JSONSerialization.jsonObject(with: Data(replies[1].utf8)) as? [String: Any])
            #expect(error["ok"] as? Bool == false)
            #expect(error["line"] as? Int == 2)
            #expect(error["code"] as? String == bad.code)
            #expect((error["error"] as? String)?.contains(bad.says) == true, "\(replies[1])")
            #expect(sink.submitted == 2)
            #expect(source.counters.linesFailed == 1)
        }
    }

    @Test func blankLinesGetNoReplyButCountAsLinesAndCRLFIsAccepted() async throws {
        try await withSocket(sink: FakeSink()) { _, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            let text = String(decoding: Self.line("a"), as: UTF8.self) + "\r\n\n  \t\r\n" + "nonsense\n"
            try await client.send(text)
            client.shutdownWrite()
            let replies = try await client.readToEnd()
            #expect(replies.count == 2)
            #expect(replies.first == Self.ok("a"))
            #expect(replies.last?.contains(#""line":4,"code":"bad-json""#) == true, "\(replies)")
        }
    }

    @Test func aLineLongerThanTheLimitIsRefusedAndTheNextLineAccepted() async throws {
        let sink = FakeSink()
        let limit = 65_536
        try await withSocket(sink: sink, maxLineBytes: limit) { source, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            var exact = Self.line("exact")
            exact.append(Data(repeating: 0x20, count: limit - exact.count))
            let huge = Self.line("huge", padding: 2 * 1024 * 1024)
            try await client.send(lines: [huge, Self.line("after"), exact])
            let replies = try await client.readLines(3)
            #expect(replies.count == 3)
            let refusal =
                #"{"ok":false,"line":1,"code":"line-too-long","error":"line 1 is longer than "#
                + #"sources.socket.max_line_bytes (65536 bytes); it was skipped"}"#
            #expect(replies.first == refusal)
            #expect(Array(replies.dropFirst()) == [Self.ok("after"), Self.ok("exact")])
            #expect(sink.submitted == 2)
            #expect(source.counters.linesFailed == 1)
        }
    }

    @Test func aClientThatHalfClosesStillGetsEveryReply() async throws {
        let sink = FakeSink(mode: .hold)
        try await withSocket(sink: sink) { _, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            try await client.send(lines: (1...50).map { Self.line("\($0)") })
            // The last line has no newline: the end of input finishes it.
            try await client.send(Self.line("51"))
            client.shutdownWrite()
            #expect(await eventually { sink.submitted == 51 })
            sink.release()
            let replies = try await client.readToEnd()
            #expect(replies == (1...51).map { Self.ok("\($0)") })
        }
    }

    /// Sizes around the kernel's socket buffer (about 210 KB here, 45-byte replies): within 64 KB above it, the
    /// last replies wait in NIO when the input has ended, and closing the connection must not drop them.
    @Test(arguments: [4000, 4500, 5000, 5500, 6000, 8000])
    func aClientThatReadsOnlyAfterSendingEverythingGetsEveryReply(_ total: Int) async throws {
        try await withSocket(sink: FakeSink(), maxPendingLines: 1_000_000) { source, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            try await client.send(lines: (0..<total).map { Self.line("\($0)") })
            client.shutdownWrite()
            #expect(await eventually { source.counters.linesAccepted > 0 })
            // Until the source has answered what it can, or closed the connection.
            _ = await settles { source.counters.linesAccepted + 1_000_000 * source.counters.connectionsOpen }
            let replies = try await client.readToEnd()
            #expect(replies.count == total)
            #expect(replies.last == Self.ok("\(total - 1)"))
        }
    }

    @Test func aSinkThatSuspendsStopsTheReading() async throws {
        let sink = FakeSink()
        sink.block()
        let total = 5000
        try await withSocket(sink: sink) { _, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            let written = Counter()
            // 2 KB lines: 10 MB in all, far more than the socket buffers and NIO's read buffers can hold.
            let payload = (0..<total).map { Self.line("\($0)", padding: 2000) }
            async let sent: Void = client.send(lines: payload, progress: written)
            #expect(await eventually { sink.entered == 1 })
            // Until the kernel says the client is held back (its unread bytes fill the send buffer), then until
            // its count stays put: a client that was merely slow (starved of CPU) is not held back, so it cannot
            // make this pass early. This failed once in a full CI run (2026-12-07, 87,040 of 212,992 bytes unread
            // after 60 s) and not in 21 runs since, alone or beside CPU load; the lines written and the sink's
            // counts say next time whether the client stopped writing or the source kept reading.
            #expect(
                await eventually { client.isHeldBack },
                Comment(
                    rawValue: "\(client.unread) of \(client.sendBuffer) bytes unread; the client wrote "
                        + "\(written.value) lines; the sink was entered \(sink.entered) times and took "
                        + "\(sink.submitted) events"))
            #expect(await settles { written.value })
            // The source sits in one submit and reads nothing more, so the client is stuck writing.
            #expect(sink.entered == 1)
            #expect(sink.submitted == 0)
            #expect(written.value < total / 4, "the client wrote \(written.value) of \(total) lines")
            sink.unblock()
            let replies = try await client.readLines(total)
            try await sent
            #expect(replies.count == total)
            #expect(replies.last == Self.ok("\(total - 1)"))
        }
    }

    @Test func repliesOwedPerConnectionAreBounded() async throws {
        let sink = FakeSink(mode: .hold)
        let total = 5000
        try await withSocket(sink: sink, maxPendingLines: 64) { _, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            let written = Counter()
            let payload = (0..<total).map { Self.line("\($0)", padding: 2000) }
            async let sent: Void = client.send(lines: payload, progress: written)
            #expect(await eventually { sink.submitted == 64 })
            #expect(
                await eventually { client.isHeldBack }, "\(client.unread) of \(client.sendBuffer) bytes unread")
            #expect(await settles { written.value })
            #expect(sink.submitted == 64)
            #expect(written.value < total / 4, "the client wrote \(written.value) of \(total) lines")
            sink.release()
            let replies = try await client.readLines(total)
            try await sent
            #expect(replies == (0..<total).map { Self.ok("\($0)") })
        }
    }

    @Test(arguments: [IngestError.Code.storeFailed, .shuttingDown])
    func aSinkFailureIsAnErrorReplyWithItsCode(_ code: IngestError.Code) async throws {
        let sink = FakeSink(mode: .fail(IngestError(code, "the store is read-only")))
        try await withSocket(sink: sink) { source, path in
            let client = try LineClient.connect(path)
            defer { client.close() }
            try await client.send(lines: [Self.line("1"), Self.line("2")])
            let replies = try await client.readLines(2)
            #expect(
                replies
                    == [1, 2].map {
                        #"{"ok":false,"line":\#($0),"code":"\#(code.rawValue)","error":"the store is read-only"}"#
                    })
            #expect(source.counters.linesFailed == 2)
            #expect(sink.committed.isEmpty)
        }
    }

    @Test func gracefulShutdownAnswersSubmittedLinesThenCloses() async throws {
        let sink = FakeSink(mode: .hold)
        try await withTemporaryDirectory { dir in
            let path = dir + "/ingest.sock"
            let source = SocketSource(
                configuration: .init(path: path), decoder: PayloadDecoder(), sink: sink, logger: quietLogger)
            try await withRunning(source) { group in
                try await source.ready()
                let client = try LineClient.connect(path)
                defer { client.close() }
                try await client.send(lines: (1...10).map { Self.line("\($0)") })
                #expect(await eventually { sink.submitted == 10 })
                await group.triggerGracefulShutdown()
                // Stopped accepting: the socket file goes, and new clients are refused.
                #expect(await eventually { !FileManager.default.fileExists(atPath: path) })
                #expect(throws: LineClient.Failure.self) { try LineClient.connect(path) }
                sink.release()
                let replies = try await client.readToEnd()
                #expect(replies == (1...10).map { Self.ok("\($0)") })
            }
        }
    }

    @Test func aStaleSocketIsReplacedAndTheModeSet() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/ingest.sock"
            // A socket file whose listener is gone, as after kill -9.
            let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            try #require(bound == 0)
            close(stale)
            let source = SocketSource(
                configuration: .init(path: path, mode: 0o640), decoder: PayloadDecoder(), sink: FakeSink(),
                logger: quietLogger)
            try await withRunning(source) { _ in
                try await source.ready()
                var info = stat()
                try #require(lstat(path, &info) == 0)
                #expect(info.st_mode & 0o777 == 0o640)
                let client = try LineClient.connect(path)
                defer { client.close() }
                try await client.send(lines: [Self.line("1")])
                #expect(try await client.readLines(1) == [Self.ok("1")])
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aFileAtTheSocketPathIsLeftAloneAndTheSourceDoesNotStart() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/ingest.sock"
            try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
            let source = SocketSource(
                configuration: .init(path: path), decoder: PayloadDecoder(), sink: FakeSink(), logger: quietLogger)
            await #expect(throws: SourceError.self) { try await source.run() }
            let error = await #expect(throws: SourceError.self) { try await source.ready() }
            #expect(error?.code == .socketPathInUse)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        }
    }
}
