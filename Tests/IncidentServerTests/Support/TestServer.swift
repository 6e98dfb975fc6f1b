import AsyncHTTPClient
import Foundation
import IncidentServer
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The real `APIServer` on a temporary control socket and, optionally, on 127.0.0.1 with a port the system
/// picks; stopped with a graceful shutdown as the daemon's `ServiceGroup` would.
struct TestServer {
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    let api: FakeIncidentAPI
    let directory: String
    let socketPath: String
    let port: Int?
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// A client that returns redirects instead of following them: the pages' 303s are what the tests check.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    /// The bearer token of the TCP listener (every TCP listener needs one of at least 32 characters).
    static let token = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"

    /// A fresh directory under /tmp: socket paths must stay under 108 bytes.
    static func makeDirectory() -> String {
        var template = Array("/tmp/incsrv.XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    static func start(
        api: FakeIncidentAPI = FakeIncidentAPI(), listen: String? = "127.0.0.1:0", token: String? = TestServer.token,
        maxBodyBytes: Int = 5_242_880, directory: String? = nil, webAccess: WebAccess? = nil
    ) async throws -> TestServer {
        let directory = directory ?? makeDirectory()
        let socketPath = directory + "/control.sock"
        let (endpoints, continuation) = AsyncStream<APIEndpoint>.makeStream()
        let server = APIServer(
            api: api, controlSocket: socketPath, listen: listen, token: token, maxBodyBytes: maxBodyBytes,
            logger: quiet, webAccess: webAccess, now: { Fixtures.now }, onBound: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: try server.services(), logger: quiet))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var socketBound = false
        var port: Int?
        for await endpoint in endpoints {
            switch endpoint {
            case .controlSocket: socketBound = true
            case .tcp(_, let bound): port = bound
            }
            if socketBound, listen == nil || port != nil { break }
        }
        guard socketBound, listen == nil || port != nil else {
            let error: (any Error)? = await {
                do {
                    try await task.value
                    return nil
                } catch { return error }
            }()
            throw StartFailure(description: "the server did not start: \(error.map { "\($0)" } ?? "no error")")
        }
        return TestServer(
            api: api, directory: directory, socketPath: socketPath, port: port, group: group, task: task)
    }

    /// Runs `body` against a started server and stops the server afterwards, also when `body` throws.
    static func with(
        api: FakeIncidentAPI = FakeIncidentAPI(), listen: String? = "127.0.0.1:0", token: String? = TestServer.token,
        maxBodyBytes: Int = 5_242_880, webAccess: WebAccess? = nil, _ body: (TestServer) async throws -> Void
    ) async throws {
        let server = try await start(
            api: api, listen: listen, token: token, maxBodyBytes: maxBodyBytes, webAccess: webAccess)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A request over the control socket (`tcp: false`) or the TCP listener.
    func request(
        _ method: HTTPMethod, _ uri: String, body: String? = nil, tcp: Bool = false, headers: [(String, String)] = [],
        withToken: Bool = true
    ) async throws -> Reply {
        try await request(
            method, uri, bytes: body.map { Data($0.utf8) }, tcp: tcp, headers: headers, withToken: withToken)
    }

    func request(
        _ method: HTTPMethod, _ uri: String, bytes: Data?, tcp: Bool = false, headers: [(String, String)] = [],
        streamed: Bool = false, withToken: Bool = true
    ) async throws -> Reply {
        let url =
            tcp ? "http://127.0.0.1:\(port!)\(uri)" : URL(httpURLWithSocketPath: socketPath, uri: uri)!.absoluteString
        var request = HTTPClientRequest(url: url)
        request.method = method
        // TCP requests carry the listener's token unless the test sends its own Authorization.
        if tcp, withToken, !headers.contains(where: { $0.0 == "Authorization" }) {
            request.headers.add(name: "Authorization", value: "Bearer \(TestServer.token)")
        }
        for (name, value) in headers {
            if name == "Host" {
                request.headers.replaceOrAdd(name: name, value: value)
            } else {
                request.headers.add(name: name, value: value)
            }
        }
        if let bytes {
            if streamed {
                // No Content-Length: the server must stop at the limit while reading.
                let chunks = stride(from: 0, to: bytes.count, by: 65_536).map {
                    ByteBuffer(bytes: bytes[$0..<min($0 + 65_536, bytes.count)])
                }
                request.body = .stream(AsyncStreamOf(chunks), length: .unknown)
            } else {
                request.body = .bytes(ByteBuffer(bytes: bytes))
            }
        }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }
}

/// A finite async sequence of buffers for streamed request bodies.
struct AsyncStreamOf: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunks: [ByteBuffer]

    init(_ chunks: [ByteBuffer]) { self.chunks = chunks }

    struct AsyncIterator: AsyncIteratorProtocol {
        var rest: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { rest.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks[...]) }
}
