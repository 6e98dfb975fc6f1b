import CSystemd
import Foundation
import Logging

/// Writes log lines to the journal as structured entries (`sd_journal_sendv`): `MESSAGE`, `PRIORITY`,
/// `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, `SYSLOG_IDENTIFIER=incidentd`, and each metadata key as an upper-case
/// `INCIDENTD_*` field, so `journalctl INCIDENTD_INCIDENT=INC-7` finds every line about one incident.
///
/// `MESSAGE` carries the metadata too (`text key=value ...`), as the stderr handler prints it: `journalctl`
/// shows only `MESSAGE` by default, and an operator should not need `-o verbose` to see which file failed.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let sorted = merged.sorted { $0.key < $1.key }
        var text = event.message.description
        if !sorted.isEmpty { text += " " + sorted.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        var fields = [
            "MESSAGE=" + text, "PRIORITY=\(Self.priority(event.level))", "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)", "SYSLOG_IDENTIFIER=incidentd",
            "INCIDENTD_LOGGER=\(label)",
        ]
        for (key, value) in sorted { fields.append("\(Self.fieldName(key))=\(value)") }
        Self.send(fields)
    }

    /// syslog priorities, as journald and `journalctl -p` use them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `INCIDENTD_` and the key in upper case, anything but A–Z, 0–9 and `_` as `_` (journal field rules).
    static func fieldName(_ key: String) -> String {
        let cleaned = key.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        }
        // Field names are at most 64 bytes.
        return String(("INCIDENTD_" + String(cleaned)).prefix(64))
    }

    /// One `sd_journal_sendv` call; the variadic `sd_journal_send` is not available from Swift.
    static func send(_ fields: [String]) {
        // Copies with a lifetime of their own: pointers into Swift arrays must not outlive their closures.
        let buffers = fields.map { field -> UnsafeMutableRawBufferPointer in
            let bytes = Array(field.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyBytes(from: bytes)
            return UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: bytes.count)
        }
        defer { buffers.forEach { $0.deallocate() } }
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        _ = sd_journal_sendv(vectors, Int32(vectors.count))
    }

    /// Whether stderr is the journal stream systemd connected (`JOURNAL_STREAM` names its device and inode),
    /// the sign that structured journal logging reaches the same place as stderr would.
    public static func stderrIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Bool
    {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
