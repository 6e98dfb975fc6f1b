import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a child's output (a descriptor it owns and closes) on a Dispatch thread, keeping the first `limit` bytes and draining the rest so the
/// child never blocks on a full pipe. A grandchild that keeps the pipe open cannot hold delivery up: `finish`
/// stops reading after its grace period.
final class OutputCapture: Sendable {
    private let state = Mutex<(bytes: [UInt8], truncated: Bool)>(([], false))
    private let stop = Atomic<Bool>(false)
    private let ended = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let endedFlag = Atomic<Bool>(false)

    init(fd: Int32, limit: Int) {
        DispatchQueue.global().async { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stop.load(ordering: .relaxed) {
                let ready = poll(&poller, 1, 100)
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                state.withLock { s in
                    let room = max(0, limit - s.bytes.count)
                    s.bytes += buffer[0..<min(room, n)]
                    if n > room { s.truncated = true }
                }
            }
            close(fd)
            endedFlag.store(true, ordering: .sequentiallyConsistent)
            ended.withLock { $0.take() }?.resume()
        }
    }

    /// Waits up to `grace` for end-of-file, then returns what was kept, printable, one line.
    func finish(grace: Duration) async -> String {
        let timer = Task { [self] in
            try? await Task.sleep(for: grace)
            stop.store(true, ordering: .relaxed)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = ended.withLock { slot -> Bool in
                if endedFlag.load(ordering: .sequentiallyConsistent) { return true }
                slot = continuation
                return false
            }
            if already { continuation.resume() }
        }
        timer.cancel()
        let (bytes, truncated) = state.withLock { ($0.bytes, $0.truncated) }
        let text = String(decoding: bytes, as: UTF8.self)
            .map { $0.isNewline || $0 == "\t" ? " " : $0 }
            .filter { !($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) }
        let line = String(text).trimmingCharacters(in: .whitespaces)
        return truncated ? line + " …(truncated)" : line
    }
}
