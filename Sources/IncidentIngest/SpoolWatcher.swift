import Dispatch
import Glibc
import Synchronization

/// Watches a spool's `new/` directory with inotify and wakes the spool source when files arrive.
///
/// The inotify descriptor is read by a DispatchSource on its own serial queue, so no task blocks on it. Files
/// closed after writing (IN_CLOSE_WRITE) or renamed into `new/` (IN_MOVED_TO) are announced as complete;
/// the source takes announced files at once and others only once they have been quiet for a while.
final class SpoolWatcher: Sendable {
    /// Yields whenever the directory may have changed; wake-ups that come while one is pending are merged.
    let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let announced = Mutex<Set<String>>([])
    /// Dispatch sources are not Sendable; the lock makes cancelling from any task safe.
    private let source: Mutex<(any DispatchSourceRead)?>

    init(directory: String) throws(SourceError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw SourceError(
                .spoolWatchFailed, path: directory,
                message:
                    "cannot start inotify: \(String(cString: strerror(errno))); raise fs.inotify.max_user_instances"
            )
        }
        guard inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SourceError(
                .spoolWatchFailed, path: directory,
                message: "cannot watch \(directory) with inotify: \(reason); raise fs.inotify.max_user_watches")
        }
        (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let reader = DispatchSource.makeReadSource(
            fileDescriptor: fd, queue: DispatchQueue(label: "incidentd.spool.inotify"))
        reader.setCancelHandler { close(fd) }
        source = Mutex(reader)
        source.withLock { reader in
            reader?.setEventHandler { [weak self] in self?.drain(fd) }
            reader?.activate()
        }
    }

    /// Asks for a scan, as when a file arrived: for the scan at start and the periodic rescan.
    func wake() {
        continuation.yield(())
    }

    /// The names announced complete since the last call.
    func takeAnnounced() -> Set<String> {
        announced.withLock { names in
            defer { names.removeAll() }
            return names
        }
    }

    /// Stops watching and closes the inotify descriptor; ends `wakes`.
    func stop() {
        source.withLock { reader in
            reader?.cancel()
            reader = nil
        }
        continuation.finish()
    }

    /// Reads every pending inotify event (the descriptor is non-blocking) and wakes the source once.
    private func drain(_ fd: Int32) {
        let headerSize = MemoryLayout<inotify_event>.size
        var names: [String] = []
        // Room for many events: each is a 16-byte header plus the NUL-padded name.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + headerSize <= count {
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let nameBytes = raw[(offset + headerSize)..<min(offset + headerSize + length, count)]
                    let name = nameBytes.prefix { $0 != 0 }
                    // IN_Q_OVERFLOW carries no name: events were lost, and the wake-up makes the source scan.
                    if mask & UInt32(IN_Q_OVERFLOW) == 0, !name.isEmpty {
                        names.append(String(decoding: name, as: UTF8.self))
                    }
                    offset += headerSize + length
                }
            }
        }
        if !names.isEmpty { announced.withLock { $0.formUnion(names) } }
        continuation.yield(())
    }
}
