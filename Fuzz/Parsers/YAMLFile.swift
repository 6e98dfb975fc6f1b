import Foundation

/// A file per process for the targets whose parser only reads paths (config, rule tests): each input is written
/// to it, parsed from it, and removed. In /dev/shm where there is one: on a busy disk, an unlink once stalled
/// long enough for libFuzzer to report a timeout that was no parser's.
enum YAMLFile {
    static let path: String = {
        let directory = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return (directory as NSString).appendingPathComponent(
            "incidentd-fuzz-\(ProcessInfo.processInfo.processIdentifier).yaml")
    }()

    static func with<T>(_ data: Data, _ body: (String) -> T) -> T {
        guard FileManager.default.createFile(atPath: path, contents: data) else { fatalError("cannot write \(path)") }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return body(path)
    }
}
