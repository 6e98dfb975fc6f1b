import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `Tests/Support/http-receiver.py` as a child process: a real HTTP server that can fail, stall, rate-limit and
/// die, and logs every request with its idempotency key. Shared by IncidentNotifyTests and IntegrationTests.
public final class Receiver: @unchecked Sendable {
    public struct Request: Decodable, Sendable {
        public var path: String
        public var key: String?
        public var headers: [String: String]
        public var status: Int
        public var duplicate: Bool
        public var t: Double
    }

    public let directory: URL
    let process: ChildProcess
    public let port: Int
    public var logPath: String { directory.appendingPathComponent("requests.jsonl").path }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/http-receiver.py")
    }

    public init() async throws {
        directory = try ScratchDirectory.make("receiver")
        let process = ChildProcess()
        self.process = process
        let portFile = directory.appendingPathComponent("port").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            Self.script.path, "--port-file", portFile, "--log", directory.appendingPathComponent("requests.jsonl").path,
        ]
        // Its output goes to a file, never to the test process's own: a receiver left running after the tests
        // would otherwise hold `swift test`'s pipe open, and it waits for that pipe's end.
        let log = directory.appendingPathComponent("receiver.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        do {
            try await waitUntil("the receiver writes its port", timeout: .seconds(30)) {
                guard process.isRunning else { throw ReceiverError("the receiver exited") }
                return FileManager.default.fileExists(atPath: portFile)
            }
        } catch {
            process.terminate()
            throw ReceiverError("the receiver did not start: \(error)")
        }
        port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) ?? 0
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request so far, in arrival order.
    public func requests() -> [Request] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The raw log, for secret checks.
    public func rawLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Kills the receiver: its port refuses connections from now on.
    public func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        kill()
        ScratchDirectory.remove(directory)
    }
}

public struct ReceiverError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
