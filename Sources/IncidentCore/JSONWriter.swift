/// Writes JSON objects straight into bytes, for the few documents written often enough that `JSONEncoder`'s
/// cost shows (every page's body: `JSONEncoder` was 8% of the daemon's CPU in a burst of pages). The caller
/// writes the members in the order it wants them: sorted by key, to match `JSONEncoder`'s `.sortedKeys`.
/// Strings go through `JSONString.append`, so every sender-controlled value is escaped.
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

    public mutating func string(_ value: String) { JSONString.append(value, to: &bytes) }

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
            JSONString.append(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object of the labels, in their (sorted) order.
    public mutating func labels(_ labels: Labels) {
        bytes.append(UInt8(ascii: "{"))
        for (i, label) in labels.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONString.append(label.name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONString.append(label.value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        first = false
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
            w.key("acknowledged_at")
            w.string(acknowledgedAt?.rfc3339)
            w.key("acknowledged_by")
            w.string(acknowledgedBy)
            w.key("alerts")
            w.int(alerts)
            w.key("closed_at")
            w.string(closedAt?.rfc3339)
            w.key("escalation")
            w.optional(escalation) { w, e in
                w.object { w in
                    w.key("next_at")
                    w.string(e.nextAt?.rfc3339)
                    w.key("policy")
                    w.string(e.policy)
                    w.key("round")
                    w.int(e.round)
                    w.key("step")
                    w.int(e.step)
                }
            }
            w.key("events")
            w.int(events)
            w.key("flapping")
            w.bool(flapping)
            w.key("group_key")
            w.string(groupKey)
            w.key("id")
            w.string(id)
            w.key("impact")
            w.string(impact.rawValue)
            w.key("kind")
            w.string(kind.rawValue)
            w.key("labels")
            w.labels(labels)
            w.key("opened_at")
            w.string(openedAt.rfc3339)
            w.key("priority")
            w.string(priority.rawValue)
            w.key("resolved_at")
            w.string(resolvedAt?.rfc3339)
            w.key("rule")
            w.string(rule)
            w.key("silenced")
            w.bool(silenced)
            w.key("state")
            w.string(state.rawValue)
            w.key("title")
            w.string(title)
            w.key("urgency")
            w.string(urgency.rawValue)
        }
    }
}

extension AlertSnapshot {
    /// The alert as `JSONEncoder` with `.sortedKeys` writes its `Encodable` form, without the encoder.
    public func writeJSON(to w: inout JSONWriter) {
        w.object { w in
            w.key("annotations")
            w.labels(annotations)
            w.key("events")
            w.int(events)
            w.key("fingerprint")
            w.string(fingerprint.description)
            w.key("first_seen")
            w.string(firstSeen.rfc3339)
            w.key("labels")
            w.labels(labels)
            w.key("last_seen")
            w.string(lastSeen.rfc3339)
            w.key("status")
            w.string(status.rawValue)
            w.key("suppressed")
            w.bool(suppressed)
        }
    }
}
