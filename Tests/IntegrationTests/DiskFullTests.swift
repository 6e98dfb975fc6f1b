import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A small tmpfs the test owns: a real file system that runs out of space. Mounting needs root (CAP_SYS_ADMIN),
/// which the suite has on its Debian CI box; elsewhere the suite that uses it is skipped, and says so.
final class SmallFileSystem {
    let path: String
    private var mounted = false

    init(size: String) throws {
        path = try CLI.temporaryDirectory().path
        let mount = try CLI.runAbsoluteBlocking(
            "/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard mount.status == 0 else { throw HarnessError("mount -t tmpfs on \(path) failed (\(mount.status))") }
        mounted = true
    }

    /// Whether this process may mount a tmpfs; tried once on a scratch directory.
    static let available: Bool = {
        guard geteuid() == 0, let fs = try? SmallFileSystem(size: "64k") else { return false }
        fs.remove()
        return true
    }()

    /// Writes `name` until the file system is full; returns the bytes written.
    @discardableResult
    func fill(_ name: String = "filler") -> Int {
        let fd = open(path + "/" + name, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x78, count: 4096)
        var total = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        return total
    }

    func remove() {
        if mounted { _ = try? CLI.runAbsoluteBlocking("/bin/umount", ["-l", path]) }
        mounted = false
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}

/// The store on a file system that fills up: commits fail, `/readyz` and the metrics say why, and both recover
/// at the first commit after space is freed (the daemon refuses what it cannot commit, and the sender retries).
@Suite(.serialized, .enabled(if: SmallFileSystem.available, "needs root to mount a small tmpfs"))
struct DiskFullTests {
    static func batch(_ count: Int, tag: String) -> String {
        let alerts = (0..<count).map {
            #"{"labels":{"alertname":"DiskFullTest","n":"\#(tag)-\#($0)"},"annotations":{"pad":"\#(String(repeating: "p", count: 200))"}}"#
        }
        return "[" + alerts.joined(separator: ",") + "]"
    }

    @Test func aFullDiskMakesReadyz503WithTheReasonAndRecoversOnceSpaceIsFreed() async throws {
        let fs = try SmallFileSystem(size: "3m")
        defer { fs.remove() }
        let daemon = try await RunningDaemon(extra: "store: { sqlite: { path: \(fs.path)/incidentd.sqlite } }")
        #expect(try await daemon.api("/readyz").status == 200)

        #expect(fs.fill() > 0)
        // Larger than any WAL the daemon wrote so far, so its commit must grow the file.
        let refused = try await daemon.api("/api/v2/alerts", method: "POST", body: Self.batch(400, tag: "full"))
        #expect(refused.status == 503, "\(refused.body)")
        let ready = try await daemon.api("/readyz")
        #expect(ready.status == 503)
        #expect(ready.body.contains("commits failing: no space left on device"), "\(ready.body)")
        let failing = try await daemon.api("/metrics").body
        #expect(failing.contains(#"incidentd_store_commit_failures_total{reason="disk_full"}"#), "\(failing)")
        #expect(failing.contains("incidentd_store_commits_failing 1"), "\(failing)")
        #expect(failing.contains("incidentd_ready 0"))

        // Space comes back and the sender retries: the batch goes in and readiness follows.
        try FileManager.default.removeItem(atPath: fs.path + "/filler")
        let committedBefore = try #require(try await daemon.metric("incidentd_events_committed_total"))
        let accepted = try await daemon.api("/api/v2/alerts", method: "POST", body: Self.batch(400, tag: "full"))
        #expect(accepted.status == 200, "\(accepted.body)")
        try await waitUntil("/readyz is 200 again") { await (try? daemon.api("/readyz"))?.status == 200 }
        let recovered = try await daemon.api("/metrics").body
        #expect(recovered.contains("incidentd_store_commits_failing 0"), "\(recovered)")
        #expect(recovered.contains("incidentd_ready 1"))
        #expect(try await daemon.metric("incidentd_events_committed_total") == committedBefore + 400)
        #expect(await daemon.signal(SIGTERM) == 0, "\(daemon.log())")
    }
}
