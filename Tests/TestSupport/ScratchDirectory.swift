import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fresh directories for tests under the temporary directory (`TMPDIR`, else /tmp), removed when the test
/// process exits, so that a run leaves nothing behind. Set `INCIDENTD_KEEP_TEST_DIRS=1` to keep them for a
/// post-mortem of a failing test (Swift Testing does not tell a test whether it failed, so the choice is the
/// person's who runs them). A run that crashes keeps them too: the exit handler never runs.
public enum ScratchDirectory {
    private static let made = Mutex<[String]>([])
    private static let removalAtExit: Void = {
        atexit { ScratchDirectory.removeAll() }
    }()

    /// Whether directories are kept after the run.
    public static var keep: Bool { ProcessInfo.processInfo.environment["INCIDENTD_KEEP_TEST_DIRS"] != nil }

    /// Writes `text` to a file named `name` in a fresh scratch directory and returns its path.
    public static func file(_ prefix: String, name: String, text: String) throws -> String {
        let path = try make(prefix).appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Creates `<tmp>/<prefix>-<UUID>` and returns it; it is removed at exit.
    public static func make(_ prefix: String) throws -> URL {
        _ = removalAtExit
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        made.withLock { $0.append(url.path) }
        return url
    }

    /// Removes `url` now (a test done with it), unless directories are kept.
    public static func remove(_ url: URL) {
        guard !keep else { return }
        made.withLock { $0.removeAll { $0 == url.path } }
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs `body` with a fresh directory and removes it afterwards, whether `body` returned or threw.
    public static func with<T>(_ prefix: String, _ body: (URL) async throws -> T) async throws -> T {
        let url = try make(prefix)
        defer { remove(url) }
        return try await body(url)
    }

    static func removeAll() {
        guard !keep else { return }
        for path in made.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
