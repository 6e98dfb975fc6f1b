#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension UsersFile {
    /// The accounts in the file at `path`; a file that does not exist holds none (no web users yet).
    public static func load(path: String) throws -> [UserAccount] {
        guard let snapshot = try UsersFileSnapshot.capture(path: path) else { return [] }
        do {
            return try parse(snapshot.text)
        } catch {
            var located = error
            located.path = path
            throw located
        }
    }

    /// Replaces the file at `path` with `accounts`, atomically: a temporary file in the same directory is
    /// written, flushed to disk and renamed over the old one, so a reader (the daemon) sees the old file or the
    /// new one, never half of one. A new file gets mode 0640; a replaced one keeps its mode and, when allowed,
    /// its owner and group (the daemon's group must still be able to read it).
    public static func save(_ accounts: [UserAccount], path: String) throws {
        let directory = Self.directory(of: path)
        var template = Array((directory + "/.users.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory)", path: path) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            var existing = stat()
            if stat(path, &existing) == 0 {
                // The owner first: chown may clear set-id bits the mode then restores.
                _ = fchown(fd, existing.st_uid, existing.st_gid)
                guard fchmod(fd, existing.st_mode & 0o7777) == 0 else {
                    throw failure("cannot set the mode of \(temporary)", path: path)
                }
            } else {
                guard fchmod(fd, 0o640) == 0 else { throw failure("cannot set the mode of \(temporary)", path: path) }
            }
            let bytes = Array(render(accounts).utf8)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw failure("cannot write \(temporary)", path: path) }
                written += count
            }
            guard fsync(fd) == 0 else { throw failure("cannot flush \(temporary) to disk", path: path) }
        }
        guard rename(temporary, path) == 0 else { throw failure("cannot rename \(temporary) to \(path)", path: path) }
        renamed = true
        // The rename itself is only durable once the directory is flushed; the file is in place either way.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func failure(_ what: String, path: String) -> UsersFileError {
        UsersFileError(code: "unwritable", line: 0, path: path, message: "\(what): \(String(cString: strerror(errno)))")
    }
}
