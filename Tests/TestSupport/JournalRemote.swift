import Foundation

/// Real journal files for tests: `systemd-journal-remote` turns journal export format into a journal file, as
/// SYSTEMD-NOTES.md describes. Shared by the journal source's unit tests and the daemon's integration tests.
public enum JournalRemote {
    public static let path = "/lib/systemd/systemd-journal-remote"

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A `systemd-journal-remote` writing what it reads on stdin to `DIR/NAME.journal`, started.
    public static func start(directory: String, name: String) throws -> (process: ChildProcess, input: Pipe) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--output=\(directory)/\(name).journal", "-"]
        let input = Pipe.closeOnExec()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, input)
    }

    /// Appends `export` (entries in journal export format) to `DIR/NAME.journal`, creating it. The write and the
    /// wait for the child run on a thread of their own (`onOwnThread`), not on one of the two cooperative threads.
    public static func write(export: Data, to directory: String, name: String) async throws {
        try await onOwnThread {
            let (process, input) = try start(directory: directory, name: name)
            try input.fileHandleForWriting.write(contentsOf: export)
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "systemd-journal-remote exited with \(process.terminationStatus)")
            }
        }
    }
}
