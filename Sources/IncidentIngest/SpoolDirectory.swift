import Foundation
import Glibc
import IncidentCore

/// A Maildir-style spool (`tmp/`, `new/`, `done/`, `failed/`) and the file operations on it.
///
/// Every method blocks on the file system; the spool source calls them on a thread pool, never on the
/// cooperative pool.
struct SpoolDirectory: Sendable {
    /// A file waiting in `new/`.
    struct Entry: Sendable, Equatable {
        var name: String
        /// Its last modification, to tell a file still being written directly in `new/` from a finished one.
        var modified: Timestamp
    }

    /// What reading a file gave.
    enum Content: Sendable {
        /// The bytes, and the identity of the file they were read from.
        case data(Data, SpoolFileIdentity)
        /// The file cannot be a payload; it goes to `failed/` with this reason.
        case refused(PayloadError)
        /// Someone else removed it after it was listed.
        case vanished
        /// The system could not open or read it for now (see `isTransient`): nothing is wrong with the file, which
        /// stays in `new/` for a later pass.
        case deferred(String)
    }

    let root: String
    /// `open(2)`; a test replaces it to fail as a process out of descriptors does.
    let openFile: @Sendable (String, Int32) -> Int32

    init(root: String, openFile: @escaping @Sendable (String, Int32) -> Int32 = { Glibc.open($0, $1) }) {
        self.root = root
        self.openFile = openFile
    }

    var tmp: String { root + "/tmp" }
    var new: String { root + "/new" }
    var done: String { root + "/done" }
    var failed: String { root + "/failed" }

    /// Names of files still being written and of editor and `Data.write(options: .atomic)` leftovers.
    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".partial") || name.hasSuffix("~")
    }

    /// Creates the spool and whichever of its subdirectories are missing.
    func create() throws(SourceError) {
        // Writers in the service's group drop files into tmp/ and new/; done/ and failed/ are the daemon's.
        for (path, mode) in [(root, 0o750), (tmp, 0o770), (new, 0o770), (done, 0o750), (failed, 0o750)] {
            let made = mkdir(path, mode_t(mode)) == 0
            guard made || errno == EEXIST else {
                throw SourceError(
                    .spoolDirectory, path: path,
                    message: "cannot create the spool directory \(path): \(Self.reason()); "
                        + "create it or fix sources.spool.path")
            }
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw SourceError(
                    .spoolDirectory, path: path,
                    message: "\(path) is not a directory; the spool needs tmp/, new/, done/ and failed/ directories")
            }
            // mkdir applies the umask (0027 under the packaged unit), which would take the group's write
            // permission off tmp/ and new/; a directory made here gets its mode as meant. Existing ones are the
            // operator's (or tmpfiles.d's) and keep theirs.
            if made { chmod(path, mode_t(mode)) }
        }
    }

    /// The files in `new/` to consider, in byte order of their names.
    func listNew() throws(SourceError) -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: new)
        } catch {
            throw SourceError(.spoolDirectory, path: new, message: "cannot list \(new): \(error)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(names.count)
        for name in names where !Self.isIgnored(name) {
            var info = stat()
            guard lstat(new + "/" + name, &info) == 0 else { continue }
            let modified = Timestamp(
                microseconds: Int64(info.st_mtim.tv_sec) * 1_000_000 + Int64(info.st_mtim.tv_nsec) / 1000)
            entries.append(Entry(name: name, modified: modified))
        }
        return entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Errors of `open` and `read` that say nothing about the file: the process or the system is out of
    /// descriptors or memory, or the disk failed for a moment. Treating them as the file's fault moved good
    /// files to `failed/` (and lost their alerts until someone moved them back) whenever the daemon ran out of
    /// descriptors.
    static func isTransient(_ error: Int32) -> Bool {
        [EMFILE, ENFILE, ENOMEM, ENOBUFS, EIO, EAGAIN, EINTR].contains(error)
    }

    /// Reads `new/NAME`, at most `limit` bytes: a larger file is refused from its size, without reading it.
    func read(_ name: String, limit: Int) -> Content {
        let path = new + "/" + name
        let fd = openFile(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return .vanished
            case ELOOP:
                return .refused(PayloadError("not-a-file", "new/\(name) is a symbolic link; put the file itself there"))
            case let error where Self.isTransient(error):
                return .deferred("cannot open new/\(name) for now: \(Self.reason())")
            default:
                return .refused(PayloadError("unreadable", "cannot open new/\(name): \(Self.reason())"))
            }
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            if Self.isTransient(errno) { return .deferred("cannot inspect new/\(name) for now: \(Self.reason())") }
            return .refused(PayloadError("unreadable", "cannot inspect new/\(name): \(Self.reason())"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .refused(PayloadError("not-a-file", "new/\(name) is not a regular file"))
        }
        guard Int(info.st_size) <= limit else { return .refused(Self.tooLarge(Int(info.st_size), limit: limit)) }
        // One byte more than the limit tells a file that grew since fstat from one that fits exactly.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { break }
                bytes.append(contentsOf: repeatElement(0, count: min(65_536, limit + 1 - count)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                if Self.isTransient(errno) { return .deferred("cannot read new/\(name) for now: \(Self.reason())") }
                return .refused(PayloadError("unreadable", "cannot read new/\(name): \(Self.reason())"))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= limit else { return .refused(Self.tooLarge(count, limit: limit, grew: true)) }
        // The identity after reading: what was read is the file as it is now (a file still growing would not
        // pass the settle time, but the position must describe these bytes either way).
        var after = stat()
        return .data(Data(bytes[..<count]), SpoolFileIdentity(fstat(fd, &after) == 0 ? after : info))
    }

    /// Moves `new/NAME` into `done/`, beside any older file of that name; returns the name it got there.
    ///
    /// The file's time becomes `at`, the time it was done, which `keep_done` counts from.
    func moveToDone(_ name: String, at time: Timestamp) throws(SourceError) -> String {
        let target = freeName(for: name, in: done, withErrorFile: false)
        try move(name, to: done + "/" + target)
        var times = [Self.timespec(time), Self.timespec(time)]
        utimensat(AT_FDCWD, done + "/" + target, &times, AT_SYMLINK_NOFOLLOW)
        return target
    }

    /// Moves `new/NAME` into `failed/` and writes `NAME.error` beside it saying why; returns the name it got.
    func moveToFailed(_ name: String, reason: PayloadError, at time: Timestamp) throws(SourceError) -> String {
        let target = freeName(for: name, in: failed, withErrorFile: true)
        let explanation = """
            spool file \(name) was refused: \(reason.message) [\(reason.code)]
            Nothing from it was ingested (\(time.rfc3339)). Fix the file and move it back into new/ to try again.

            """
        let errorPath = failed + "/" + target + ".error"
        guard FileManager.default.createFile(atPath: errorPath, contents: Data(explanation.utf8)) else {
            throw SourceError(.spoolDirectory, path: errorPath, message: "cannot write \(errorPath): \(Self.reason())")
        }
        try move(name, to: failed + "/" + target)
        return target
    }

    /// Deletes the regular files in `done/` last changed before `cutoff`; returns how many.
    func purgeDone(before cutoff: Timestamp) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: done) else { return 0 }
        var removed = 0
        for name in names {
            let path = done + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000 + Int64(info.st_mtim.tv_nsec) / 1000
            if modified < cutoff.microseconds, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    private func move(_ name: String, to destination: String) throws(SourceError) {
        guard rename(new + "/" + name, destination) == 0 else {
            throw SourceError(
                .spoolDirectory, path: new + "/" + name,
                message: "cannot move new/\(name) to \(destination): \(Self.reason())")
        }
    }

    /// `NAME`, or `NAME.1`, `NAME.2` … when that is taken, so that no earlier file is overwritten.
    private func freeName(for name: String, in directory: String, withErrorFile: Bool) -> String {
        func taken(_ candidate: String) -> Bool {
            var info = stat()
            if lstat(directory + "/" + candidate, &info) == 0 { return true }
            return withErrorFile && lstat(directory + "/" + candidate + ".error", &info) == 0
        }
        var candidate = name
        var suffix = 0
        while taken(candidate) {
            suffix += 1
            candidate = "\(name).\(suffix)"
        }
        return candidate
    }

    private static func tooLarge(_ size: Int, limit: Int, grew: Bool = false) -> PayloadError {
        grew
            ? PayloadError("too-large", "file grew past limits.max_payload_bytes (\(limit)) while it was read")
            : PayloadError("too-large", "file is \(size) bytes, more than limits.max_payload_bytes (\(limit))")
    }

    private static func timespec(_ time: Timestamp) -> Glibc.timespec {
        Glibc.timespec(
            tv_sec: Int(time.microseconds / 1_000_000), tv_nsec: Int(time.microseconds % 1_000_000) * 1000)
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
