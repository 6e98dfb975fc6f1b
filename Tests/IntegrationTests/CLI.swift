import Foundation
import TestSupport
import Testing

/// Runs the built binaries the way an operator does and captures what they print.
enum CLI {
    /// The directory holding the built products: the test bundle sits beside them.
    static let productsDirectory: URL = {
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = arg0.deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("incidentctl").path) {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `program` from the built products and waits for it on a thread of its own (`onOwnThread`): a child's
    /// run never holds one of the two cooperative threads that every test in the process shares.
    static func run(_ program: String, _ arguments: [String], stdin: Data? = nil, cwd: URL? = nil) async throws
        -> Output
    {
        let executable = productsDirectory.appendingPathComponent(program)
        return try await onOwnThread { try runBlocking(executable, arguments, stdin: stdin, cwd: cwd) }
    }

    /// Runs `executable` in `cwd` (default: the repository) without `INCIDENTD_CONFIG`, feeds it `stdin` and waits.
    /// With `keepStandardError` false, what it writes there is discarded.
    static func runBlocking(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil, cwd: URL? = nil, keepStandardError: Bool = true
    ) throws -> Output {
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = cwd ?? repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["INCIDENTD_CONFIG"] = nil
        process.environment = environment
        let out = Pipe.closeOnExec()
        let err = keepStandardError ? Pipe.closeOnExec() : nil
        process.standardOutput = out
        process.standardError = err ?? FileHandle.nullDevice
        let input = Pipe.closeOnExec()
        process.standardInput = input
        try process.run()
        // A child that exits without reading its input makes the write fail (EPIPE; SIGPIPE is ignored): what it
        // printed is still the answer, so that is no error here. (`write(_:)` would trap on it.)
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
        let outData = try out.fileHandleForReading.readToEndRetryingInterrupts()
        let errData = try err?.fileHandleForReading.readToEndRetryingInterrupts() ?? Data()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func incidentctl(_ arguments: String..., stdin: Data? = nil) async throws -> Output {
        try await run("incidentctl", arguments, stdin: stdin)
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A fresh directory, removed when the test process exits (see `ScratchDirectory`).
    static func temporaryDirectory() throws -> URL {
        try ScratchDirectory.make("incidentd-test")
    }
}
