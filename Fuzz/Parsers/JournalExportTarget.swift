import Foundation
import FuzzSupport
import IncidentCore
import IncidentPayload

/// `JournalExportParser` (`journalctl -o export` text, as `incidentctl replay` reads it) and
/// `JournalEntryMapper` on every entry it yields. Entries written back in the export format parse to the same
/// fields, and mapped events keep the decoders' promises.
enum JournalExportTarget {
    static let target = FuzzTarget("journal-export") { data in
        guard let entries = try? JournalExportParser().parse(data) else { return }
        for fields in entries {
            FuzzCheck.require(!fields.isEmpty, "an empty entry")
            do throws(PayloadError) {
                let event = try JournalEntryMapper.event(fields: fields, receivedAt: EventProperties.receivedAt)
                // The mapper applies no label limits (its callers do), so only the other promises are checked.
                EventProperties.check([event], decoder: PayloadDecoder(maxLabels: .max, maxLabelValueBytes: .max))
                FuzzCheck.require(event.labels["source"] == "journal", "a journal event without source=journal")
            } catch {
                EventProperties.check(error)
            }
        }
        // Round trip, for entries whose field names the format can carry (no '=', no newline, not empty).
        let writable = entries.filter { entry in
            entry.keys.allSatisfy { !$0.isEmpty && !$0.utf8.contains(0x3D) && !$0.utf8.contains(0x0A) }
        }
        guard !writable.isEmpty else { return }
        let reparsed = try? JournalExportParser().parse(export(writable))
        FuzzCheck.require(reparsed == writable, "written back, \(writable) parses to \(String(describing: reparsed))")
    }

    /// The export format of `entries`: text fields where the value has no newline, binary ones otherwise.
    static func export(_ entries: [[String: String]]) -> Data {
        var out: [UInt8] = []
        for entry in entries {
            for (name, value) in entry.sorted(by: { $0.key < $1.key }) {
                out += Array(name.utf8)
                if value.utf8.contains(0x0A) {
                    out.append(0x0A)
                    let length = UInt64(value.utf8.count)
                    for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(k)))) }
                    out += Array(value.utf8)
                } else {
                    out.append(UInt8(ascii: "="))
                    out += Array(value.utf8)
                }
                out.append(0x0A)
            }
            out.append(0x0A)
        }
        return Data(out)
    }
}
