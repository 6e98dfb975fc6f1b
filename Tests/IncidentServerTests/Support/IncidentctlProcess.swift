import Foundation
import TestSupport

/// Runs the built `incidentctl` the way an operator does, without blocking a thread of the cooperative pool
/// (the fake API behind the server needs one to answer).
enum IncidentctlProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The directory of the built products: the test bundle sits beside them.
    static let productsDirectory: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("incidentctl").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug")
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        let process = ChildProcess()
        process.executableURL = productsDirectory.appendingPathComponent("incidentctl")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["INCIDENTD_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe.closeOnExec()
        let err = Pipe.closeOnExec()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let (exited, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { continuation.yield($0.terminationStatus) }
        try process.run()
        // Outputs are small (well under a pipe's buffer), so reading after exit cannot block the child.
        var status: Int32 = -1
        for await code in exited {
            status = code
            break
        }
        return Output(
            status: status,
            stdout: String(decoding: try out.fileHandleForReading.readToEndRetryingInterrupts(), as: UTF8.self),
            stderr: String(decoding: try err.fileHandleForReading.readToEndRetryingInterrupts(), as: UTF8.self))
    }
}
