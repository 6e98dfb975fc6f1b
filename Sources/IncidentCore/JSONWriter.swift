/// Writes JSON objects straight into bytes, for the few documents written often enough that `JSONEncoder`'s
/// cost shows (every page's body: `JSONEncoder` was 8% of the daemon's CPU in a burst of pages). The caller
/// writes the members in the order it wants them: sorted by key, to match `JSONEncoder`'s `.sortedKeys`.
/// Strings go through `JSONString.append` as the encoder escapes them, so every sender-controlled value is
/// escaped and the output is the encoder's byte for byte.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next member is the first of its object (no comma before it).
    private var first = true

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// `{`, then `body` writes the members, then `}`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// A member's key; its value comes next.
    public mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    public mutating func string(_ value: String) { JSONString.append(value, to: &bytes, output: .encoder) }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func int(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    public mutating func null() { bytes.append(contentsOf: "null".utf8) }

    /// An array of strings.
    public mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONString.append(value, to: &bytes, output: .encoder)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object of the labels, keys in the order of their UTF-8 bytes as `JSONEncoder`'s `.sortedKeys` has them.
    /// `Labels` keeps its names in `String` order, which differs only for names not in Unicode's composed form
    /// (`e` and U+0301 against `é`): those are sorted again here.
    public mutating func labels(_ labels: Labels) {
        func byteOrder(_ a: Label, _ b: Label) -> Bool { a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
        let inOrder = zip(labels, labels.dropFirst()).allSatisfy { byteOrder($0, $1) }
        func write(_ members: some Sequence<Label>) {
            bytes.append(UInt8(ascii: "{"))
            for (i, label) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONString.append(label.name, to: &bytes, output: .encoder)
                bytes.append(UInt8(ascii: ":"))
                JSONString.append(label.value, to: &bytes, output: .encoder)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        if inOrder { write(labels) } else { write(labels.sorted(by: byteOrder)) }
        first = false
    }

    /// A member whose value is a string, a number, a flag or null: `member("id", id)`.
    public mutating func member(_ name: StaticString, _ value: String?) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: StaticString, _ value: Int?) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// `member` writes a value, or `null` for nil.
    public mutating func optional<T>(_ value: T?, _ member: (inout JSONWriter, T) -> Void) {
        if let value { member(&self, value) } else { null() }
    }
}

extension Incident {
    /// The incident as `JSONEncoder` with `.sortedKeys` writes its `Encodable` form (SPEC §8), without the
    /// encoder: a test holds the two to the same output.
    public func writeJSON(to w: inout JSONWriter) {
        w.object { w in
            w.member("acknowledged_at", acknowledgedAt?.rfc3339)
            w.member("acknowledged_by", acknowledgedBy)
            w.member("alerts", alerts)
            w.member("closed_at", closedAt?.rfc3339)
            w.key("escalation")
            w.optional(escalation) { w, e in
                w.object { w in
                    w.member("next_at", e.nextAt?.rfc3339)
                    w.member("policy", e.policy)
                    w.member("round", e.round)
                    w.member("step", e.step)
                }
            }
            w.member("events", events)
            w.member("flapping", flapping)
            w.member("group_key", groupKey)
            w.member("id", id)
            w.member("impact", impact.rawValue)
            w.member("kind", kind.rawValue)
            w.key("labels")
            w.labels(labels)
            w.member("opened_at", openedAt.rfc3339)
            w.member("priority", priority.rawValue)
            w.member("resolved_at", resolvedAt?.rfc3339)
            w.member("rule", rule)
            w.member("silenced", silenced)
            w.member("state", state.rawValue)
            w.member("title", title)
            w.member("urgency", urgency.rawValue)
        }
    }
}

extension AlertSnapshot {
    /// The alert as `JSONEncoder` with `.sortedKeys` writes its `Encodable` form, without the encoder.
    public func writeJSON(to w: inout JSONWriter) {
        w.object { w in
            w.key("annotations")
            w.labels(annotations)
            w.member("events", events)
            w.member("fingerprint", fingerprint.description)
            w.member("first_seen", firstSeen.rfc3339)
            w.key("labels")
            w.labels(labels)
            w.member("last_seen", lastSeen.rfc3339)
            w.member("status", status.rawValue)
            w.member("suppressed", suppressed)
        }
    }
}
