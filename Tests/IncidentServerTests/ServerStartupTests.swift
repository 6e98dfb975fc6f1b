import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ServerStartupTests {
    func server(listen: String?, token: String? = nil, socket: String = "/tmp/unused.sock") -> APIServer {
        APIServer(
            api: FakeIncidentAPI(), controlSocket: socket, listen: listen, token: token, logger: TestServer.quiet)
    }

    func startupError(_ server: APIServer) -> APIServerError? {
        do {
            _ = try server.services()
            return nil
        } catch {
            return error
        }
    }

    /// Loopback too: every local user, and every page a local browser opens, reaches 127.0.0.1.
    @Test(arguments: ["0.0.0.0:9097", "[::]:9097", "10.1.2.3:9097", "127.0.0.1:9097", "[::1]:9097"])
    func aListenerWithoutAStrongTokenIsRefused(listen: String) throws {
        #expect(startupError(server(listen: listen))?.code == .tokenRequired)
        let blank = startupError(server(listen: listen, token: "  \n"))
        #expect(blank?.code == .tokenRequired, "a blank token counts as none")
        #expect(blank?.message.contains("http.token_file") == true)
        let short = startupError(server(listen: listen, token: String(repeating: "t", count: 31)))
        #expect(short?.code == .tokenRequired, "31 characters are too few")
        #expect(try server(listen: listen, token: TestServer.token).services().count == 2)
    }

    /// A name can resolve elsewhere later (`127.evil.example`): IP literals only.
    @Test(arguments: [
        "9097", "127.0.0.1", "127.0.0.1:http", ":9097", "127.0.0.1:70000", "localhost:9097",
        "127.evil.example:9097", "ops.example.com:9097", "[localhost]:9097", "127.1:9097",
    ])
    func aMalformedListenAddressIsRefused(listen: String) {
        #expect(startupError(server(listen: listen, token: TestServer.token))?.code == .badListenAddress)
    }

    @Test func withoutListenOnlyTheControlSocketServes() throws {
        #expect(try server(listen: nil).services().count == 1)
    }

    @Test func theControlSocketGetsMode0660AndIsRemovedOnStop() async throws {
        let server = try await TestServer.start(listen: nil)
        var info = stat()
        #expect(lstat(server.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        try await server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let first = try await TestServer.start(listen: nil)
        // A daemon killed with -9 leaves its socket file: make one that nobody answers on.
        let directory = first.directory
        let stale = directory + "/control.sock"
        await first.group.triggerGracefulShutdown()
        try await first.task.value
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(stale.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: stale))

        let second = try await TestServer.start(listen: nil, directory: directory)
        #expect(try await second.request(.GET, "/healthz").status == 200)
        try await second.stop()
    }

    @Test func aLiveSocketIsNotTakenOver() async throws {
        let first = try await TestServer.start(listen: nil)
        do {
            _ = try await TestServer.start(listen: nil, directory: first.directory)
            Issue.record("a second server took over a live socket")
        } catch {
            #expect("\(error)".contains("another process is serving"), "\(error)")
        }
        // The first one still answers.
        #expect(try await first.request(.GET, "/healthz").status == 200)
        try await first.stop()
    }

    @Test func aFileAtTheSocketPathIsNotDeleted() async throws {
        let directory = TestServer.makeDirectory()
        let path = directory + "/control.sock"
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8))
        do {
            _ = try await TestServer.start(listen: nil, directory: directory)
            Issue.record("the server started over a regular file")
        } catch {
            #expect("\(error)".contains("is not a socket"), "\(error)")
        }
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aPortInUseIsABindFailureNamingTheSetting() async throws {
        let first = try await TestServer.start()
        do {
            _ = try await TestServer.start(listen: "127.0.0.1:\(first.port!)")
            Issue.record("bound a port in use")
        } catch {
            #expect("\(error)".contains("http.listen 127.0.0.1:\(first.port!)"), "\(error)")
        }
        try await first.stop()
    }
}
