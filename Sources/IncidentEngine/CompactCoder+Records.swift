import Foundation
import IncidentCore

/// The checkpoint's alerts read directly, without the `Decodable` machinery: restoring 100,000 alerts spent 26% of
/// its time in `AlertRecord.init(from:)` (a keyed container per record, an existential box per field, a key
/// lookup each) and another 20% in `Dictionary.init(from:)` around it.
///
/// Same bytes, same result: fields in any order, unknown keys skipped, an optional field absent or nil is nil, a
/// missing required field or a value of the wrong kind is an error, as the synthesized conformance decides
/// through `KeyedReader`. Tests hold it to the generic path on every field and on damaged bytes, and the
/// `checkpoint` fuzz target runs it. Where only a damaged checkpoint can tell them apart, they may differ, and
/// either answer is safe (a value, or an error that costs a replay): a field written twice keeps its first value
/// here (the generic reader tries the entry after the last one it read first, so it may take the second); an
/// alert key written twice keeps its last, as `Dictionary.init(from:)` does (for an empty key the generic reader
/// kept the first).
extension CompactCoder.Reader {
    /// Calls `body` with each entry's key bytes and value offset of the keyed container at `offset`, checking
    /// the framing as `KeyedReader` does.
    func forEachEntry(_ offset: Int, _ body: (Range<Int>, Int) throws -> Void) throws {
        let (start, count, end) = try container(offset, .keyed)
        var at = start
        for _ in 0..<count {
            let key = try run(at)
            let valueEnd = try self.end(of: key.upperBound)
            guard valueEnd <= end else { throw CompactCoder.corrupt("an entry runs past its container at byte \(at)") }
            try body(key, key.upperBound)
            at = valueEnd
        }
        guard at == end else {
            throw CompactCoder.corrupt("a keyed container at byte \(offset) has bytes after its entries")
        }
    }

    /// Whether the key bytes at `range` spell `name`.
    func key(_ range: Range<Int>, is name: StaticString) -> Bool {
        range.count == name.utf8CodeUnitCount
            && bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + range.lowerBound, name.utf8Start, range.count) }
                == 0
    }

    /// `[String: AlertRecord]`, the engine state's `alerts`.
    func alertRecords(_ offset: Int, depth: Int) throws -> [String: AlertRecord] {
        guard depth < CompactCoder.maxDepth else {
            throw CompactCoder.corrupt("nested deeper than \(CompactCoder.maxDepth) at byte \(offset)")
        }
        // Room for what the bytes can hold (a record takes far more than 64 bytes), never what a damaged count
        // claims: a dictionary's buckets cost some 100 bytes each, so a count near the container's length would
        // ask for gigabytes, and a failed allocation stops the process on every start.
        let (start, count, end) = try container(offset, .keyed)
        var records: [String: AlertRecord] = [:]
        records.reserveCapacity(min(count, (end - start) / 64))
        try forEachEntry(offset) { key, value in
            // A key that is not UTF-8 is refused, as the generic reader refused it (it looked the key up by
            // a name that decoding had already changed).
            guard let name = bytes.withUnsafeBufferPointer({ String(validating: $0[key], as: UTF8.self) }) else {
                throw CompactCoder.corrupt("an alert's key at byte \(key.lowerBound) is not UTF-8")
            }
            records[name] = try alertRecord(value, depth: depth + 1)
        }
        return records
    }

    func alertRecord(_ offset: Int, depth: Int) throws -> AlertRecord {
        guard depth < CompactCoder.maxDepth else {
            throw CompactCoder.corrupt("nested deeper than \(CompactCoder.maxDepth) at byte \(offset)")
        }
        var fingerprint: Fingerprint?
        var labels: Labels?
        var annotations: Labels?
        var status: EventStatus?
        var statusAt: Timestamp?
        var firstSeen: Timestamp?
        var lastSeen: Timestamp?
        var events: Int?
        var incident: Int?
        var suppressed: Bool?
        var source: EventSource?
        var resolveDue: Timestamp??
        var silencedBy: [String]??
        try forEachEntry(offset) { key, at in
            if fingerprint == nil, self.key(key, is: "fingerprint") {
                let text = try string(at)
                guard let value = Fingerprint(hex: text) else {
                    throw CompactCoder.corrupt("not a fingerprint at byte \(at): \(text.prefix(80))")
                }
                fingerprint = value
            } else if labels == nil, self.key(key, is: "labels") {
                labels = try self.labels(at)
            } else if annotations == nil, self.key(key, is: "annotations") {
                annotations = try self.labels(at)
            } else if status == nil, self.key(key, is: "status") {
                status = try raw(EventStatus.self, at)
            } else if statusAt == nil, self.key(key, is: "statusAt") {
                statusAt = Timestamp(microseconds: try signed(at))
            } else if firstSeen == nil, self.key(key, is: "firstSeen") {
                firstSeen = Timestamp(microseconds: try signed(at))
            } else if lastSeen == nil, self.key(key, is: "lastSeen") {
                lastSeen = Timestamp(microseconds: try signed(at))
            } else if events == nil, self.key(key, is: "events") {
                events = try integer(Int.self, at)
            } else if incident == nil, self.key(key, is: "incident") {
                incident = try integer(Int.self, at)
            } else if suppressed == nil, self.key(key, is: "suppressed") {
                suppressed = try bool(at)
            } else if source == nil, self.key(key, is: "source") {
                source = try raw(EventSource.self, at)
            } else if resolveDue == nil, self.key(key, is: "resolveDue") {
                resolveDue = .some(try tag(at) == .null ? nil : Timestamp(microseconds: try signed(at)))
            } else if silencedBy == nil, self.key(key, is: "silencedBy") {
                silencedBy = .some(try tag(at) == .null ? nil : try strings(at, depth: depth + 1))
            }
        }
        func required<T>(_ value: T?, _ name: String) throws -> T {
            guard let value else { throw CompactCoder.corrupt("an alert at byte \(offset) has no entry '\(name)'") }
            return value
        }
        return AlertRecord(
            fingerprint: try required(fingerprint, "fingerprint"), labels: try required(labels, "labels"),
            annotations: try required(annotations, "annotations"), status: try required(status, "status"),
            statusAt: try required(statusAt, "statusAt"), firstSeen: try required(firstSeen, "firstSeen"),
            lastSeen: try required(lastSeen, "lastSeen"), events: try required(events, "events"),
            incident: try required(incident, "incident"), suppressed: try required(suppressed, "suppressed"),
            source: try required(source, "source"), resolveDue: resolveDue ?? nil, silencedBy: silencedBy ?? nil)
    }

    /// A string-backed enumeration's case.
    func raw<T: RawRepresentable>(_ type: T.Type, _ offset: Int) throws -> T where T.RawValue == String {
        let text = try string(offset)
        guard let value = T(rawValue: text) else {
            throw CompactCoder.corrupt("not a \(T.self) at byte \(offset): \(text.prefix(80))")
        }
        return value
    }

    /// A list of strings, bounded as `ListReader` bounds its elements.
    func strings(_ offset: Int, depth: Int) throws -> [String] {
        guard depth < CompactCoder.maxDepth else {
            throw CompactCoder.corrupt("nested deeper than \(CompactCoder.maxDepth) at byte \(offset)")
        }
        let (start, count, end) = try container(offset, .list)
        var values: [String] = []
        values.reserveCapacity(min(count, (end - start) / 2))  // a string takes at least two bytes
        var at = start
        for _ in 0..<count {
            let next = try self.end(of: at)
            guard next <= end else { throw CompactCoder.corrupt("an element runs past its list at byte \(at)") }
            values.append(try string(at))
            at = next
        }
        return values
    }
}

/// The engine's alerts written directly, without the `Encodable` machinery: at 100,000 alerts the synthesized
/// path (a keyed container per record, an existential box and a dynamic dispatch per field, a `String` per
/// fingerprint) was most of the checkpoint's encoding, which the daemon does every 10 s or more.
///
/// Same bytes as the synthesized conformances write through `KeyedWriter` (fields in declaration order, an absent
/// optional left out, a dictionary's entries in its own order); `writesRecordsDirectly = false` takes the
/// generic path, and tests compare the two byte for byte.
extension CompactCoder.Output {
    /// A keyed container's key from a static name (no `String` made for it).
    mutating func key(_ name: StaticString) {
        varint(UInt64(name.utf8CodeUnitCount))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// A fingerprint as `Fingerprint.encode(to:)` writes it: a string of 16 hex digits.
    mutating func fingerprint(_ fingerprint: Fingerprint) {
        tag(.string)
        varint(16)
        fingerprint.appendHex(to: &bytes)
    }

    /// `[String: AlertRecord]`, the engine state's `alerts`, as `Dictionary.encode(to:)` writes it.
    mutating func alerts(_ alerts: [String: AlertRecord]) {
        let header = open(.keyed)
        for (name, record) in alerts {
            raw(name)
            alert(record)
        }
        close(header: header, count: UInt32(truncatingIfNeeded: alerts.count))
    }

    /// One alert as its synthesized `encode(to:)` writes it.
    mutating func alert(_ alert: AlertRecord) {
        let header = open(.keyed)
        var count: UInt32 = 11
        key("fingerprint")
        fingerprint(alert.fingerprint)
        key("labels")
        labels(alert.labels)
        key("annotations")
        labels(alert.annotations)
        key("statusAt")
        signed(alert.statusAt.microseconds)
        key("firstSeen")
        signed(alert.firstSeen.microseconds)
        key("lastSeen")
        signed(alert.lastSeen.microseconds)
        key("events")
        signed(Int64(alert.events))
        key("incident")
        signed(Int64(alert.incident))
        if let silencedBy = alert.silencedBy {
            count += 1
            key("silencedBy")
            let list = open(.list)
            for name in silencedBy { string(name) }
            close(header: list, count: UInt32(truncatingIfNeeded: silencedBy.count))
        }
        if let resolveDue = alert.resolveDue {
            count += 1
            key("resolveDue")
            signed(resolveDue.microseconds)
        }
        key("status")
        string(alert.status.rawValue)
        key("suppressed")
        bool(alert.suppressed)
        key("source")
        string(alert.source.rawValue)
        close(header: header, count: count)
    }

    /// An incident's alert list, as `Array.encode(to:)` writes it.
    mutating func fingerprints(_ list: [Fingerprint]) {
        let header = open(.list)
        for item in list { fingerprint(item) }
        close(header: header, count: UInt32(truncatingIfNeeded: list.count))
    }
}
