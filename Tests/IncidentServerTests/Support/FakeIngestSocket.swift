import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A stand-in for the daemon's ingest socket: accepts one connection on its own thread, reads one line and
/// writes the reply it was given.
final class FakeIngestSocket: Sendable {
    let path: String
    private let received = Mutex<[UInt8]?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(path: String, reply: String) throws {
        self.path = path
        let replyBytes = Array(reply.utf8)
        try Self.acceptOnce(path, done: done) { [self] client in
            let line = Self.read(client, until: [0x0A])
            self.received.withLock { $0 = line }
            _ = replyBytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        }
    }

    /// Binds and listens on `path`, then on a thread of its own accepts one connection, runs `exchange` on it,
    /// closes both sockets and signals `done`.
    static func acceptOnce(
        _ path: String, done: DispatchSemaphore, _ exchange: @escaping @Sendable (Int32) -> Void
    ) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard bind(fd, path), listen(fd, 1) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        let thread = Thread {
            defer {
                close(fd)
                done.signal()
            }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            exchange(client)
        }
        thread.start()
    }

    /// Reads a byte at a time until the bytes read end with `terminator` (included) or the peer closes.
    static func read(_ client: Int32, until terminator: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(client, &byte, 1) == 1 {
            bytes.append(byte)
            if bytes.count >= terminator.count, bytes.suffix(terminator.count).elementsEqual(terminator) { break }
        }
        return bytes
    }

    /// The line the client sent, newline included, once the exchange is over; nil if there was none within
    /// 60 s (the client never connected), rather than a wait for ever.
    func line() -> [UInt8]? {
        guard done.wait(timeout: .now() + 60) == .success else { return nil }
        return received.withLock { $0 }
    }

    static func bind(_ fd: Int32, _ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        } == 0
    }

    /// Leaves a socket file that nobody accepts on, as a daemon killed with -9 does.
    static func bindWithoutListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return bind(fd, path)
    }
}
