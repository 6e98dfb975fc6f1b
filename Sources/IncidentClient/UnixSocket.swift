#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking POSIX client connection to a Unix stream socket: simple, and right for a command-line tool that
/// sends one line and waits for one reply.
public final class UnixSocket {
    /// A failed system call, with the path and errno for the message.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32

        public var reason: String {
            switch errno {
            case ENOENT: "no such socket"
            case ECONNREFUSED: "connection refused"
            case EACCES, EPERM: "permission denied"
            case EAGAIN, ETIMEDOUT: "timed out"
            default: String(cString: strerror(errno))
            }
        }

        public var description: String { "\(operation) \(path): \(reason)" }
    }

    let fd: Int32
    public let path: String

    /// Connects; `timeout` bounds each later read and write.
    public init(path: String, timeout: Duration = .seconds(30)) throws(Failure) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(path: path, operation: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw Failure(path: path, operation: "connect", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failure(path: path, operation: "connect", errno: code)
        }
        var limit = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write to", errno: errno)
            }
            offset += written
        }
    }

    /// Reads what has arrived, at most `limit` bytes, waiting for at least one; empty when the peer closed.
    public func read(limit: Int = 64 << 10) throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(1, limit))
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "read from", errno: errno)
            }
            buffer.removeLast(buffer.count - count)
            return buffer
        }
    }

    /// Reads up to and without the first newline; nil when the peer closes first. At most `limit` bytes.
    public func readLine(limit: Int = 1 << 20) throws(Failure) -> [UInt8]? {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while line.count <= limit {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "read from", errno: errno)
            }
            if count == 0 { return line.isEmpty ? nil : line }
            if let newline = buffer[0..<count].firstIndex(of: 0x0A) {
                line += buffer[0..<newline]
                return line
            }
            line += buffer[0..<count]
        }
        throw Failure(path: path, operation: "read from", errno: EMSGSIZE)
    }
}
