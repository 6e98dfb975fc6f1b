import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Appends the `json` payload as one line to a file and fsyncs it: an archive, or a page drop for tools that
/// tail a file. Lines are written with one `write` on an `O_APPEND` descriptor, so concurrent notifiers
/// sharing a file never interleave.
public struct FileNotifier: Notifier {
    public let name: String
    let path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        var line = PayloadRenderer.json(request)
        line.append(0x0A)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return .retry(failure("cannot open")) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { return .retry(failure("cannot append to")) }
        guard fsync(fd) == 0 else { return .retry(failure("cannot fsync")) }
        return .delivered(detail: "appended to \(path)")
    }

    private func failure(_ doing: String) -> DeliveryFailure {
        DeliveryFailure("io", "\(doing) \(path): \(String(cString: strerror(errno)))")
    }
}
