import Foundation
import Synchronization
import Testing

@testable import IncidentClient

#if canImport(Glibc)
    import Glibc
#endif

/// incidentctl's own HTTP/1.1 reading (`HTTPResponseDecoder`) and writing (`DaemonClient.request`): every framing
/// the daemon may use, split into reads anywhere, and every way an answer can be wrong, bounded.
@Suite struct HTTPResponseDecoderTests {
    /// Decodes `bytes` fed whole, then fed a byte at a time, then in reads of 7; all three must agree.
    func decode(_ text: String, atEOF: Bool = false, maxBody: Int = 1 << 20) throws -> HTTPResponseDecoder.Response? {
        let bytes = Array(text.utf8)
        var answers: [HTTPResponseDecoder.Response?] = []
        for size in [bytes.count, 1, 7] {
            var decoder = HTTPResponseDecoder(maxHeadBytes: 1024, maxBodyBytes: maxBody)
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + max(1, size))
                try decoder.feed(bytes[offset..<end])
                offset = end
            }
            if atEOF { try decoder.finish() }
            answers.append(decoder.response)
        }
        #expect(answers[0] == answers[1] && answers[1] == answers[2], "\(answers)")
        return answers[0]
    }

    func failure(_ text: String, atEOF: Bool = true, maxBody: Int = 1 << 20) -> String? {
        do {
            _ = try decode(text, atEOF: atEOF, maxBody: maxBody)
            return nil
        } catch let error as HTTPResponseDecoder.Failure {
            return error.message
        } catch {
            return "not a Failure: \(error)"
        }
    }

    @Test func aBodyFramedByContentLength() throws {
        let response = try #require(
            try decode(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\n{\"a\": \"b\"}\n"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"a\": \"b\"}\n")
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("CONTENT-LENGTH") == "11")
    }

    @Test func aResponseIsNotCompleteBeforeItsLastByte() throws {
        var decoder = HTTPResponseDecoder()
        try decoder.feed(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnop".utf8))
        #expect(!decoder.isComplete)
        #expect(decoder.response == nil)
        try decoder.feed(Array("e".utf8))
        #expect(decoder.response?.status == 404)
        #expect(decoder.response?.body == Array("nope".utf8))
    }

    @Test func aChunkedBodyWithExtensionsAndTrailers() throws {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n" + "A\r\n, world!!!\r\n" + "0000\r\nX-Trailer: yes\r\n\r\n"
        let response = try #require(try decode(text))
        #expect(String(decoding: response.body, as: UTF8.self) == "hello, world!!!")
    }

    @Test func aBodyFramedByTheEndOfTheConnection() throws {
        let text = "HTTP/1.0 500 Internal Server Error\r\n\r\nsomething broke"
        #expect(try decode(text, atEOF: false) == nil)
        let response = try #require(try decode(text, atEOF: true))
        #expect(response.status == 500)
        #expect(response.body == Array("something broke".utf8))
    }

    @Test func responsesWithoutABody() throws {
        #expect(try decode("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n")?.body == [])
        #expect(try decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")?.body == [])
        var head = HTTPResponseDecoder(requestWasHead: true)
        try head.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n".utf8))
        #expect(head.response?.body == [])
    }

    @Test func answersThatAreNotHTTPAreRefusedWithWhatCameShownSafely() {
        #expect(
            failure("SSH-2.0-OpenSSH_9.2\r\n\r\n")?.hasPrefix("the daemon's answer is not HTTP/1.x: 'SSH-2.0") == true)
        #expect(failure("\u{1b}[2J HTTP/1.1 200 OK\r\n\r\n")?.contains("\\x1B[2J") == true)
        #expect(failure("HTTP/2 200\r\n\r\n")?.contains("not HTTP/1.x") == true)
        #expect(failure("HTTP/1.1 2000 OK\r\n\r\n")?.contains("status line is malformed") == true)
        #expect(failure("HTTP/1.1 20x OK\r\n\r\n")?.contains("status line is malformed") == true)
        #expect(failure("HTTP/1.1 100 Continue\r\n\r\n")?.contains("status 100") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")?.contains("header field") == true)
        #expect(failure("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n")?.contains("name is malformed") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nX: a\u{7}b\r\n\r\n")?.contains("control character") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n")?.contains("control character") == true)
    }

    @Test func framingThatCouldBeReadTwoWaysIsRefused() {
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                == "the daemon sent two different Content-Lengths")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")?.contains("not a number") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n")?.contains("not a number") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")?.contains("is not chunked") == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")?.contains("is not chunked") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.contains("hexadecimal") == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n")?.contains("bare LF")
                == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n")?.contains(
                "does not end with CRLF") == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n")?.contains("too large")
                == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc")
                == "the daemon sent 1 byte after its response")
    }

    @Test func everythingIsBounded() {
        let longHead = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(failure(longHead)?.contains("head is longer than 1024 bytes") == true)
        // Without an end in sight too: the decoder stops reading a head that grows past its bound.
        #expect(
            failure("HTTP/1.1 200 OK\r\n" + String(repeating: "b", count: 2000), atEOF: false)?.contains(
                "longer than 1024") == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", maxBody: 10)
                == "the daemon's response body is longer than 10 bytes")
        let chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"
        #expect(failure(chunks, maxBody: 10)?.contains("longer than 10 bytes") == true)
        #expect(failure("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "c", count: 11), maxBody: 10) != nil)
        let longSize = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000)
        #expect(failure(longSize, atEOF: false)?.contains("size line") == true)
        let longTrailers =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
            + String(repeating: "T: \(String(repeating: "t", count: 100))\r\n", count: 20)
        #expect(failure(longTrailers, atEOF: false)?.contains("trailer fields are longer") == true)
    }

    @Test func anAnswerCutShortIsAnError() {
        #expect(failure("") == "the daemon closed the connection without answering")
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-")
                == "the daemon closed the connection in the middle of its response's head")
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                == "the daemon closed the connection 7 bytes before the end of its response")
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                == "the daemon closed the connection in the middle of a chunked response")
    }

    @Test func theRequestIsPlainHTTPWithItsPathPercentEncoded() {
        let post = String(
            decoding: DaemonClient.request(.post, "/api/v1/kb/articles/ü x", body: Data("{}".utf8)), as: UTF8.self)
        #expect(
            post
                == "POST /api/v1/kb/articles/%C3%BC%20x HTTP/1.1\r\nHost: localhost\r\nUser-Agent: incidentctl\r\n"
                + "Accept: application/json\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}")
        let empty = String(decoding: DaemonClient.request(.post, "/x", body: nil), as: UTF8.self)
        #expect(empty.hasSuffix("Connection: close\r\nContent-Length: 0\r\n\r\n"))
        let get = String(decoding: DaemonClient.request(.get, "/readyz\r\nX: y", body: nil), as: UTF8.self)
        #expect(get.hasPrefix("GET /readyz%0D%0AX:%20y HTTP/1.1\r\n"))
        #expect(!get.contains("Content-Length"))
    }

    @Test func escapingKeepsOnlyASCIILettersDigitsAndTheNamedMarks() {
        #expect(DaemonClient.escape("disk-full_1.v~2") == "disk-full_1.v~2")
        #expect(DaemonClient.escape("é/ü?a=b&c") == "%C3%A9%2F%C3%BC%3Fa%3Db%26c")
        #expect(DaemonClient.escape("2026-11-01T00:00:00+01:00", keeping: "-._:") == "2026-11-01T00:00:00%2B01:00")
    }

    // MARK: the client against sockets that answer badly

    @Test func aServerThatAnswersSomethingElseIsABadResponse() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try OneShotSocket(path: directory + "/control.sock", reply: .bytes(Array("+OK redis\r\n".utf8)))
        let error = await clientFailure(DaemonClient(socketPath: server.path))
        #expect(error?.code == .badResponse)
        #expect(error?.message.contains("answered GET /api/v1/incidents") == true, "\(String(describing: error))")
        #expect(error?.message.contains("closed the connection in the middle of its response's head") == true)
        // What the client sent is one well-formed request.
        let request = try #require(server.request())
        #expect(request.hasPrefix("GET /api/v1/incidents"))
        #expect(request.hasSuffix("Connection: close\r\n\r\n"))
    }

    @Test func aServerThatClosesWithoutAnsweringSaysSo() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try OneShotSocket(path: directory + "/control.sock", reply: .bytes([]))
        let error = await clientFailure(DaemonClient(socketPath: server.path))
        #expect(error?.code == .badResponse)
        #expect(error?.message.hasSuffix("the daemon closed the connection without answering") == true)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try OneShotSocket(path: directory + "/control.sock", reply: .silence)
        defer { server.release() }
        let started = ContinuousClock.now
        let error = await clientFailure(DaemonClient(socketPath: server.path, timeout: .milliseconds(300)))
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("did not answer GET /api/v1/incidents") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    func clientFailure(_ client: DaemonClient) async -> DaemonClientError? {
        do {
            _ = try await client.incidents(IncidentFilter())
            return nil
        } catch {
            return error
        }
    }
}

/// Accepts one connection on its own thread, reads the request's head, then answers with `reply` and closes, or
/// (`.silence`) keeps the connection open without a word until `release()`.
final class OneShotSocket: Sendable {
    enum Reply: Sendable {
        case bytes([UInt8])
        case silence
    }

    let path: String
    private let received = Mutex<String?>(nil)
    private let done = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    init(path: String, reply: Reply) throws {
        self.path = path
        try FakeIngestSocket.acceptOnce(path, done: done) { [self] client in
            let head = FakeIngestSocket.read(client, until: [0x0D, 0x0A, 0x0D, 0x0A])
            self.received.withLock { $0 = String(decoding: head, as: UTF8.self) }
            switch reply {
            case .bytes(let bytes):
                _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            case .silence:
                _ = self.released.wait(timeout: .now() + 60)
            }
        }
    }

    /// The request's head as received, once the exchange is over (at most 60 s).
    func request() -> String? {
        guard done.wait(timeout: .now() + 60) == .success else { return nil }
        return received.withLock { $0 }
    }

    func release() { released.signal() }
}
