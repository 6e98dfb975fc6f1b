import Foundation
import TestSupport

/// Journal files for the daemon tests, written by `systemd-journal-remote` from export format, with entry times
/// around now (the engine counts events far in the past as stale).
enum JournalFiles {
    static let bootID = "0d7f5c3b2a194e6f8d1c0b9a8e7f6d5c"

    static var available: Bool { JournalRemote.available }

    /// Appends entries to `DIR/NAME.journal`; the n-th entry is stamped `start` + n µs.
    static func write(_ entries: [[String: String]], to directory: String, name: String = "fixture") async throws {
        let start = Int64(Date().timeIntervalSince1970 * 1_000_000) - Int64(entries.count)
        var input = Data()
        input.reserveCapacity(entries.count * 160)
        for (index, entry) in entries.enumerated() {
            var fields = entry
            fields["__REALTIME_TIMESTAMP"] = String(start + Int64(index))
            fields["__MONOTONIC_TIMESTAMP"] = String(start + Int64(index))
            fields["_BOOT_ID"] = bootID
            for (name, value) in fields { input.append(Data("\(name)=\(value)\n".utf8)) }
            input.append(0x0A)
        }
        try await JournalRemote.write(export: input, to: directory, name: name)
    }

    /// A numbered application line; `SEQ` and the message carry the number for gap and duplicate counts.
    static func line(_ seq: Int) -> [String: String] {
        ["MESSAGE": "line \(seq)", "SYSLOG_IDENTIFIER": "app", "PRIORITY": "3", "_HOSTNAME": "web1", "SEQ": "\(seq)"]
    }
}

extension RunningDaemon {
    /// A gauge or counter from `/metrics` over the control socket, or nil when absent.
    func metric(_ name: String) async throws -> Double? {
        let body = try await api("/metrics").body
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
