#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file system side of the control socket: clearing a stale socket before binding, setting its mode after,
/// and removing it on the way out, but never a file that is not ours.
struct ControlSocketPath: Sendable {
    let path: String
    let mode: UInt16

    /// Removes a socket left behind by a daemon that did not stop cleanly. Refuses when something answers on it
    /// (another incidentd) or when the path is not a socket at all (a typo must not delete a file).
    func removeStale() throws(APIServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw APIServerError(
                .bindFailed, "cannot inspect the control socket path \(path): \(Self.errorText(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw APIServerError(
                .socketPathTaken,
                "http.control_socket \(path) exists and is not a socket: move it away or choose another path")
        }
        if Self.answers(path) {
            throw APIServerError(
                .socketInUse,
                "another process is serving on the control socket \(path) (another incidentd?): "
                    + "stop it, or set a different http.control_socket")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw APIServerError(
                .bindFailed, "cannot remove the stale control socket \(path): \(Self.errorText(errno))")
        }
    }

    /// Sets the socket's mode once bound; returns the inode so that only this socket is removed later.
    func adopt() -> (inode: UInt64, error: String?) {
        let failure = chmod(path, mode_t(mode)) == 0 ? nil : Self.errorText(errno)
        var info = stat()
        guard lstat(path, &info) == 0 else { return (0, failure ?? Self.errorText(errno)) }
        return (UInt64(info.st_ino), failure)
    }

    /// Removes the socket if it is still the one bound (same inode), so a successor's socket stays.
    func remove(inode: UInt64) {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_ino) == inode, info.st_mode & S_IFMT == S_IFSOCK else { return }
        unlink(path)
    }

    /// Whether a process accepts connections on the Unix socket at `path`.
    static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
