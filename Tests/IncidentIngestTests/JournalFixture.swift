import Foundation
import Synchronization
import TestSupport

/// Real journal files for the journal source tests, written by `systemd-journal-remote` from export format.
enum JournalFixture {
    static let bootID = "6a1c0e6f2d0b4f7e9c3d2b1a0f9e8d7c"
    /// 2026-11-22T06:20:00Z.
    static let baseMicros: Int64 = 1_795_328_400_000_000

    static var available: Bool { JournalRemote.available }

    /// One entry in export format; a value with a newline uses the binary form.
    static func export(_ fields: [String: String], index: Int) -> Data {
        var data = Data()
        var all = fields
        all["__REALTIME_TIMESTAMP"] = all["__REALTIME_TIMESTAMP"] ?? String(baseMicros + Int64(index) * 1000)
        all["__MONOTONIC_TIMESTAMP"] = String(1_000_000 + index)
        all["_BOOT_ID"] = bootID
        for (name, value) in all.sorted(by: { $0.key < $1.key }) {
            if value.contains("\n") {
                data.append(binaryField(name, Array(value.utf8)))
            } else {
                data.append(Data("\(name)=\(value)\n".utf8))
            }
        }
        data.append(0x0A)
        return data
    }

    /// One field in export format's binary form, which carries any bytes (newlines, NUL, invalid UTF-8).
    static func binaryField(_ name: String, _ value: [UInt8]) -> Data {
        var data = Data("\(name)\n".utf8)
        withUnsafeBytes(of: UInt64(value.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: value)
        data.append(0x0A)
        return data
    }

    /// Appends entries to `DIR/NAME.journal` (creating it), numbering their times from `firstIndex`.
    static func write(
        _ entries: [[String: String]], to directory: String, name: String = "fixture", firstIndex: Int = 0
    )
        async throws
    {
        var input = Data()
        for (offset, entry) in entries.enumerated() { input.append(export(entry, index: firstIndex + offset)) }
        try await JournalRemote.write(export: input, to: directory, name: name)
    }

    /// A numbered line from `identifier`, with `seq` in the message so tests can count gaps and duplicates.
    static func line(_ seq: Int, identifier: String = "app", priority: Int = 3) -> [String: String] {
        [
            "MESSAGE": "line \(seq)", "SYSLOG_IDENTIFIER": identifier, "PRIORITY": String(priority),
            "_HOSTNAME": "web1", "SEQ": String(seq),
        ]
    }
}

/// A long-lived `systemd-journal-remote` fed entry by entry: a live, growing (and rotating) journal.
final class LiveJournalWriter: @unchecked Sendable {
    let process: ChildProcess
    let input: Pipe
    private var index = 0

    init(directory: String, name: String = "live") throws {
        (process, input) = try JournalRemote.start(directory: directory, name: name)
    }

    func append(_ entries: [[String: String]]) throws {
        var data = Data()
        for entry in entries {
            data.append(JournalFixture.export(entry, index: index))
            index += 1
        }
        try input.fileHandleForWriting.write(contentsOf: data)
    }

    /// `append` on a thread of its own: the write blocks while systemd-journal-remote drains the pipe, which
    /// must not hold a cooperative thread. One caller at a time (the writer keeps the entries' index).
    func appendAwaiting(_ entries: [[String: String]]) async throws {
        try await onOwnThread { try self.append(entries) }
    }

    /// Closes the input and waits for the writer to flush and exit.
    func finish() async throws {
        try input.fileHandleForWriting.close()
        let process = self.process
        try await onOwnThread { process.waitUntilExit() }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
