import Foundation
import Glibc
import TestSupport

/// A plain blocking Unix-socket client, as `nc -U` or a script would be; every call runs on its own thread.
struct LineClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32

    /// Connects to the socket at `path`; replies that take longer than `timeout` fail the read.
    static func connect(_ path: String, timeout: Int = 30) throws -> LineClient {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect \(path): \(reason)")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return LineClient(fd: fd)
    }

    /// Writes all of `data`, blocking while the server does not read.
    func send(_ data: Data) async throws {
        let fd = self.fd
        try await onOwnThread { try Self.writeAll(fd, data) }
    }

    func send(_ text: String) async throws { try await send(Data(text.utf8)) }

    /// Writes `lines`, each with a newline, one write per line, counting the lines fully written in `progress`.
    func send(lines: [Data], progress: Counter? = nil) async throws {
        let fd = self.fd
        try await onOwnThread {
            for line in lines {
                try Self.writeAll(fd, line + Data([0x0A]))
                progress?.add()
            }
        }
    }

    /// What this client wrote that the server has not read yet, as the kernel charges it against the send
    /// buffer (`SIOCOUTQ`, the same request as `TIOCOUTQ`: for a Unix socket, the memory of the unread data, about
    /// twice its bytes for small writes).
    var unread: Int {
        var count: Int32 = 0
        return ioctl(fd, UInt(TIOCOUTQ), &count) == 0 ? Int(count) : -1
    }

    /// The socket's send buffer (`SO_SNDBUF`): a write blocks once `unread` reaches it.
    var sendBuffer: Int {
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length) == 0 ? Int(size) : -1
    }

    /// Whether the server holds this client back: what it has not read fills at least half the send buffer, which
    /// a server that keeps reading never lets happen. A fact of the kernel's, not of how long the client waited.
    var isHeldBack: Bool {
        let buffer = sendBuffer
        return buffer > 0 && unread >= buffer / 2
    }

    /// Shuts down the writing side: the server sees the end of input but can still reply.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func close() { Glibc.close(fd) }

    /// Reads until `count` reply lines have arrived, or the server closes; fails after the read timeout.
    func readLines(_ count: Int) async throws -> [String] {
        let fd = self.fd
        return try await onOwnThread { try Self.read(fd, lines: count) }
    }

    /// Reads every reply line until the server closes the connection.
    func readToEnd() async throws -> [String] {
        let fd = self.fd
        return try await onOwnThread { try Self.read(fd, lines: nil) }
    }

    private static func writeAll(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "write: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    private static func read(_ fd: Int32, lines wanted: Int?) throws -> [String] {
        var bytes: [UInt8] = []
        var newlines = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while wanted.map({ newlines < $0 }) ?? true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(
                    description: "read after \(newlines) lines: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += chunk[..<n]
            newlines += chunk[..<n].count { $0 == 0x0A }
        }
        guard !bytes.isEmpty else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast(bytes.last == 0x0A ? 1 : 0).map(String.init)
    }
}
