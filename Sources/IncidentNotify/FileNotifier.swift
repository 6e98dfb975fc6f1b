import Foundation
import IncidentCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Appends the `json` payload as one line to a file and fsyncs it: an archive, or a page drop for tools that
/// tail a file. Lines are written with one `write` on an `O_APPEND` descriptor, so concurrent notifiers
/// sharing a file never interleave.
///
/// The disk work runs on the file's own serial queue, never on Swift's cooperative threads (there are as many
/// as cores: fsyncs blocking them stalled every other task of the daemon), and one fsync covers every line
/// appended while the previous one ran: a burst of pages costs a few fsyncs, not one each.
public struct FileNotifier: Notifier {
    public let name: String
    let path: String
    let appender: FileAppender

    public init(name: String, path: String) {
        self.name = name
        self.path = path
        self.appender = FileAppender.forPath(path)
    }

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        var line = PayloadRenderer.json(request)
        line.append(0x0A)
        if let failure = await appender.append(line) {
            return .retry(DeliveryFailure("io", failure))
        }
        return .delivered(detail: "appended to \(path)")
    }
}

/// One file's appends: lines queue up (`GroupCommitQueue`), and a run writes all queued lines on the file's
/// own serial queue, fsyncs once, and then tells each caller whether its line is on disk.
final class FileAppender: Sendable {
    private static let byPath = Mutex<[String: FileAppender]>([:])

    /// The appender of `path`, shared by every notifier writing to it (so their lines share fsyncs too).
    static func forPath(_ path: String) -> FileAppender {
        byPath.withLock { appenders in
            if let appender = appenders[path] { return appender }
            let appender = FileAppender(path: path)
            appenders[path] = appender
            return appender
        }
    }

    let path: String
    private let lines: GroupCommitQueue<Data, String?>

    private init(path: String) {
        self.path = path
        let queue = DispatchQueue(label: "incidentd.file-notifier")
        lines = GroupCommitQueue { lines in
            await withCheckedContinuation { done in
                queue.async { done.resume(returning: Self.write(lines, to: path)) }
            }
        }
    }

    /// Appends `line` and returns once it is fsynced: nil, or why it is not on disk.
    func append(_ line: Data) async -> String? {
        await lines.submit(line)
    }

    /// Writes the lines, each with one `write`, then fsyncs: each line's failure, or nil once it is on disk.
    private static func write(_ lines: [Data], to path: String) -> [String?] {
        func failure(_ doing: String) -> String { "\(doing) \(path): \(String(cString: strerror(errno)))" }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return Array(repeating: failure("cannot open"), count: lines.count) }
        defer { close(fd) }
        var results: [String?] = lines.map { line in
            let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            return written == line.count ? nil : failure("cannot append to")
        }
        if fsync(fd) != 0 {
            let failed = failure("cannot fsync")
            results = results.map { $0 ?? failed }
        }
        return results
    }
}
