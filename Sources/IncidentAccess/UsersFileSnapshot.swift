#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A users file's text together with which file it was: device, inode, size and modification time, taken with
/// `fstat` on the descriptor the text was read through, so the two always belong together.
struct UsersFileSnapshot: Sendable {
    /// Which file, as the file system knows it; a change of any part means the file was edited or replaced.
    struct Identity: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        /// Nanoseconds since the epoch.
        var modified: Int64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            #if canImport(Darwin)
                modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
            #else
                modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            #endif
        }

    }

    /// What is at a users file's path, compared to decide whether to read it again.
    enum State: Sendable, Hashable {
        case missing
        case file(Identity)
        /// `stat` failed for another reason than a missing file (permissions, say).
        case unknown
    }

    /// What is at `path` now, by `stat`.
    static func state(path: String) -> State {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? .missing : .unknown }
        return .file(Identity(info))
    }

    var identity: Identity
    var text: String

    /// The file at `path`, or nil when it does not exist. Larger than `UsersFile.maximumBytes`, not a regular
    /// file, or unreadable: an error saying so.
    static func capture(path: String) throws(UsersFileError) -> UsersFileSnapshot? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw unreadable(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(path, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw unreadable(path, "not a regular file") }
        guard info.st_size <= UsersFile.maximumBytes else {
            throw unreadable(path, "larger than \(UsersFile.maximumBytes) bytes")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw unreadable(path, String(cString: strerror(errno))) }
            if count == 0 { break }
            bytes += buffer[..<count]
            guard bytes.count <= UsersFile.maximumBytes else {
                throw unreadable(path, "larger than \(UsersFile.maximumBytes) bytes")
            }
        }
        return UsersFileSnapshot(identity: Identity(info), text: String(decoding: bytes, as: UTF8.self))
    }

    static func unreadable(_ path: String, _ reason: String) -> UsersFileError {
        UsersFileError(code: "unreadable", line: 0, path: path, message: "cannot read the users file: \(reason)")
    }
}
