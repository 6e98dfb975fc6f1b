import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A `systemd-journald` for the tests: the one already listening on `/run/systemd/journal/socket`, or one
/// started by hand (as root, without systemd as PID 1), stopped again when the last test is done with it.
final class Journald: @unchecked Sendable {
    static let binary = "/lib/systemd/systemd-journald"
    static let socket = "/run/systemd/journal/socket"

    /// Why journald cannot be used here, or nil when it can.
    static var unavailableReason: String? {
        if isListening { return nil }
        if getuid() != 0 { return "starting systemd-journald by hand needs root" }
        if !FileManager.default.isExecutableFile(atPath: binary) { return "\(binary) is not installed" }
        return nil
    }

    private var process: ChildProcess?

    /// Whether a journald answers on the socket; a stopped one leaves its socket file behind.
    static var isListening: Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socket.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// Uses the running journald or starts one; waits until its socket exists.
    init() async throws {
        if Self.isListening { return }
        try FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        do {
            try await waitUntil("systemd-journald listens on \(Self.socket)", timeout: .seconds(30)) {
                Self.isListening
            }
        } catch {
            throw HarnessError("systemd-journald started but \(Self.socket) did not appear: \(error)")
        }
    }

    /// Entries matching `matches` (`FIELD=value`), as `journalctl -o json` objects.
    func entries(_ matches: [String]) async throws -> [[String: Any]] {
        let out = try await CLI.runAbsolute("/usr/bin/journalctl", ["-o", "json", "--no-pager"] + matches)
        return out.stdout.split(separator: "\n").map { jsonObject(String($0)) }
    }

    deinit {
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
