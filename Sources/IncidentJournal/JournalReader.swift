import CSystemd
import Foundation
import IncidentCore
import IncidentPayload

/// Reads journal entries through libsystemd: the local journal, a directory of journal files, or given files.
///
/// Not thread-safe (an `sd_journal` handle must stay on one thread): use it from one thread, or confine it.
public final class JournalReader {
    public enum Location: Sendable {
        case local
        case directory(String)
        case files([String])
    }

    /// Why the journal could not be opened or read; negative errno from libsystemd.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var errno: Int32

        public var description: String { "\(operation): \(String(cString: strerror(-errno))) (\(errno))" }

        /// `errno` negative, as libsystemd returns it.
        public init(operation: String, errno: Int32) {
            self.operation = operation
            self.errno = errno
        }
    }

    let handle: OpaquePointer

    public init(_ location: Location) throws(Failure) {
        var journal: OpaquePointer?
        let result: Int32
        switch location {
        case .local:
            result = sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .directory(let path):
            result = sd_journal_open_directory(&journal, path, 0)
        case .files(let paths):
            var cStrings = paths.map { strdup($0) }
            cStrings.append(nil)
            defer { cStrings.forEach { free($0) } }
            result = cStrings.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                    sd_journal_open_files(&journal, $0, 0)
                }
            }
        }
        guard result >= 0, let journal else { throw Failure(operation: "opening the journal", errno: result) }
        handle = journal
    }

    deinit { sd_journal_close(handle) }

    /// Adds `FIELD=value` matches (same field OR-ed, different fields AND-ed, `disjunction` splits groups).
    public func addMatch(_ match: String) throws(Failure) {
        let result = match.withCString { sd_journal_add_match(handle, $0, 0) }
        guard result >= 0 else { throw Failure(operation: "adding match \(match)", errno: result) }
    }

    public func addDisjunction() throws(Failure) {
        let result = sd_journal_add_disjunction(handle)
        guard result >= 0 else { throw Failure(operation: "adding a disjunction", errno: result) }
    }

    public func seekHead() { sd_journal_seek_head(handle) }
    public func seekTail() { sd_journal_seek_tail(handle) }

    /// Moves to the next entry; false at the end.
    public func next() throws(Failure) -> Bool {
        let result = sd_journal_next(handle)
        guard result >= 0 else { throw Failure(operation: "reading the next entry", errno: result) }
        return result > 0
    }

    /// One field of the current entry (bytes after `FIELD=`), or nil when the entry has none.
    public func field(_ name: String) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        let result = name.withCString { sd_journal_get_data(handle, $0, &data, &length) }
        guard result >= 0, let data else { return nil }
        let prefix = name.utf8.count + 1
        guard length >= prefix else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data + prefix, count: length - prefix)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The current entry's realtime timestamp.
    public func realtime() -> Timestamp? {
        var usec: UInt64 = 0
        guard sd_journal_get_realtime_usec(handle, &usec) >= 0 else { return nil }
        // A crafted journal file can hold any 64-bit value; Int64(_:) would trap on one past Int64.max.
        return Timestamp(microseconds: Int64(clamping: usec))
    }

    /// The current entry's cursor (to resume after it later).
    public func cursor() -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard sd_journal_get_cursor(handle, &pointer) >= 0, let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// The fields the event mapping needs, read from the current entry in one pass over its items.
    ///
    /// `sd_journal_get_data` scans the entry's items for the one field it is asked for, so reading the twelve
    /// the mapping names one by one (most of them absent from a given entry) visited every item about twelve
    /// times: 40% of the journal path's samples (BENCHMARKS.md, issue 16). Enumerating visits each item once, and
    /// decompresses a compressed item once, where each by-name look-up past it decompressed it again (libsystemd
    /// 252: 53 µs against 494 µs an entry with one 100 KB compressed field).
    ///
    /// What it reads is what `field(_:)` reads for each name: a field the entry holds twice gives its first value,
    /// and a damaged item is skipped, as `sd_journal_get_data` skips one. It is slightly more lenient: an item
    /// libsystemd cannot read at all (a compression it was built without, a size it refuses) is skipped
    /// (`sd_journal_enumerate_available_data`), where a by-name look-up that reached it failed. Any other error
    /// ends the pass with the fields read so far; an entry left without `MESSAGE` is counted as unmappable.
    public func mappedFields() -> [String: String] { mappedJournalFields().dictionary }

    /// `mappedFields()` in the mapping's slots, without a dictionary: what the journal source maps.
    public func mappedJournalFields() -> JournalFields {
        var fields = JournalFields()
        readMappedFields(into: &fields)
        return fields
    }

    /// The slots `event` fills for each entry, kept between entries.
    private var scratch = JournalFields()

    /// `mappedJournalFields()` into `fields`, cleared first.
    private func readMappedFields(into fields: inout JournalFields) {
        fields.removeAll()
        sd_journal_restart_data(handle)
        var data: UnsafeRawPointer?
        var length = 0
        while sd_journal_enumerate_available_data(handle, &data, &length) > 0, let data {
            let item = UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: length)
            // A field name is at most 64 characters: a value's bytes are never searched for the '='.
            guard let equals = item.prefix(65).firstIndex(of: UInt8(ascii: "=")),
                let slot = Self.mappedSlot(UnsafeBufferPointer(rebasing: item[..<equals])), fields[slot] == nil
            else { continue }
            // As a buffer, not a slice: `String(decoding:)` takes its fast path for a contiguous buffer.
            fields[slot] = String(decoding: UnsafeBufferPointer(rebasing: item[(equals + 1)...]), as: UTF8.self)
        }
        if let time = realtime() { fields[.realtime] = String(time.microseconds) }
    }

    /// The slots `mappedJournalFields` reads, with their names' bytes to compare an item's name with.
    private static let mappedNames: [(slot: JournalFields.Slot, bytes: [UInt8])] = JournalFields.Slot.allCases
        .filter { $0 != .realtime }.map { ($0, Array($0.name.utf8)) }

    private static func mappedSlot(_ name: UnsafeBufferPointer<UInt8>) -> JournalFields.Slot? {
        guard let base = name.baseAddress else { return nil }
        // By index: a for-in loop copied each (slot, bytes) pair out, retaining its array, for every field.
        let names = mappedNames
        for i in names.indices where names[i].bytes.count == name.count {
            if names[i].bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, name.count) == 0 }) {
                return names[i].slot
            }
        }
        return nil
    }

    /// The current entry as an event; throws when it cannot be mapped (SPEC §4: counted and skipped).
    public func event(receivedAt: Timestamp) throws(PayloadError) -> Event {
        readMappedFields(into: &scratch)
        return try JournalEntryMapper.event(fields: scratch, receivedAt: receivedAt)
    }
}

extension JournalReader {
    /// What `wait` saw happen to the journal.
    public enum Change: Sendable, Equatable {
        /// Nothing within the timeout.
        case none
        /// Entries were appended (maybe: any write in a watched directory wakes it).
        case append
        /// Files were added or removed (rotation, vacuuming); the reader keeps its position across it.
        case invalidate
    }

    /// Moves to the previous entry; false at the start.
    public func previous() throws(Failure) -> Bool {
        let result = sd_journal_previous(handle)
        guard result >= 0 else { throw Failure(operation: "reading the previous entry", errno: result) }
        return result > 0
    }

    /// Positions the reader at `cursor`; the next `next()` lands on its entry (or the nearest one if it is gone).
    public func seek(cursor: String) throws(Failure) {
        let result = cursor.withCString { sd_journal_seek_cursor(handle, $0) }
        guard result >= 0 else { throw Failure(operation: "seeking to cursor \(cursor)", errno: result) }
    }

    /// Whether the current entry is the one `cursor` names.
    public func isAt(cursor: String) -> Bool {
        cursor.withCString { sd_journal_test_cursor(handle, $0) } > 0
    }

    /// Removes every match, so the reader sees all entries again.
    public func flushMatches() { sd_journal_flush_matches(handle) }

    /// Blocks the calling thread until the journal changes or `timeout` passes. Never call it on the Swift
    /// cooperative pool: it holds its thread for the whole timeout.
    public func wait(timeout: Duration) throws(Failure) -> Change {
        let (seconds, attoseconds) = timeout.components
        let usec = UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
        let result = sd_journal_wait(handle, usec)
        guard result >= 0 else { throw Failure(operation: "waiting for journal changes", errno: result) }
        switch result {
        case Int32(SD_JOURNAL_APPEND): return .append
        case Int32(SD_JOURNAL_INVALIDATE): return .invalidate
        default: return .none
        }
    }
}
