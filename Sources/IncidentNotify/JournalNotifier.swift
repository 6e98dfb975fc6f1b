import CSystemd
import Foundation
import IncidentCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a structured journal entry with a fixed `MESSAGE_ID`, so `journalctl MESSAGE_ID=…` or a log shipper
/// picks incidentd's pages out of everything else, and the incident's fields as `INCIDENT_*`.
public struct JournalNotifier: Notifier {
    /// `journalctl MESSAGE_ID=5c1f0e3a9d2b4b7f8a6e2d4c1b3a5f70` lists every page incidentd sent this way.
    public static let messageID = "5c1f0e3a9d2b4b7f8a6e2d4c1b3a5f70"

    public let name: String

    public init(name: String) { self.name = name }

    /// The entry's fields, in order; pure, for tests.
    public static func fields(for request: DeliveryRequest) -> [(String, String)] {
        let priority: String
        switch request.incident?.priority {
        case .p1: priority = "2"
        case .p2: priority = "3"
        case .p3: priority = "4"
        default: priority = "5"
        }
        var fields: [(String, String)] = [
            ("MESSAGE", PayloadRenderer.headline(request)), ("MESSAGE_ID", messageID),
            ("PRIORITY", priority), ("SYSLOG_IDENTIFIER", "incidentd"),
        ]
        for (key, value) in ExecNotifier.environment(for: request).sorted(by: { $0.key < $1.key })
        where key.hasPrefix("INCIDENT_") {
            fields.append((key, value))
        }
        return fields
    }

    /// Where journald listens; libsystemd sends there and nowhere else.
    static let socketPath = "/run/systemd/journal/socket"

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        // sd_journal_sendv "fails silently" (returns success) when the socket does not exist, which would
        // count a page as delivered that went nowhere: no journald, no delivery.
        guard access(Self.socketPath, F_OK) == 0 else {
            return .retry(
                DeliveryFailure(
                    "journal",
                    "the journal refused the entry: no journald listens at \(Self.socketPath) "
                        + "(\(String(cString: strerror(errno))))"))
        }
        let lines = Self.fields(for: request).map { "\($0.0)=\($0.1)" }
        let buffers = lines.map { Array($0.utf8) }
        let result = Self.send(buffers)
        guard result >= 0 else {
            return .retry(
                DeliveryFailure("journal", "the journal refused the entry: \(String(cString: strerror(-result)))"))
        }
        return .delivered(detail: "journal entry MESSAGE_ID=\(Self.messageID)")
    }

    private static func send(_ buffers: [[UInt8]]) -> Int32 {
        let copies = buffers.map { bytes -> UnsafeMutableRawBufferPointer in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            copy.copyBytes(from: bytes)
            return copy
        }
        defer { for copy in copies { copy.deallocate() } }
        let vectors = zip(copies, buffers).map { iovec(iov_base: $0.0.baseAddress, iov_len: $0.1.count) }
        return sd_journal_sendv(vectors, Int32(vectors.count))
    }
}
