import Foundation
import IncidentCore

/// Turns webhook payloads, socket lines and journal JSON into events; one decoder for every source so that
/// a payload means the same thing whether it came over HTTP, through the spool or from a test.
public struct PayloadDecoder: Sendable {
    public var maxPayloadBytes: Int
    public var maxLabels: Int
    public var maxLabelValueBytes: Int
    public var maxLabelNameBytes: Int
    /// All of one alert's annotations together, names and values: they are kept per alert, shown and sent on.
    public var maxAnnotationBytes: Int
    /// Whether a PagerDuty `acknowledge` may acknowledge the incident it names. Off for the ingest socket and the
    /// spool: whoever may send alerts there must not thereby gain an operator's right to acknowledge (and so
    /// silence the escalation of) any incident. The daemon turns it on only for the HTTP webhook route, whose
    /// callers hold operator rights already (the control socket, or the bearer token on TCP).
    public var acceptsAcknowledgements = false

    public init(
        maxPayloadBytes: Int = 5_242_880, maxLabels: Int = 64, maxLabelValueBytes: Int = 4096,
        maxLabelNameBytes: Int = 256, maxAnnotationBytes: Int = 65_536
    ) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxLabels = maxLabels
        self.maxLabelValueBytes = maxLabelValueBytes
        self.maxLabelNameBytes = maxLabelNameBytes
        self.maxAnnotationBytes = maxAnnotationBytes
    }

    /// Parses JSON bytes; `format` nil means detect it from the shape.
    public func decode(
        _ data: Data, format: PayloadFormat? = nil, source: EventSource, receivedAt: Timestamp
    ) throws(PayloadError) -> [Event] {
        guard data.count <= maxPayloadBytes else {
            throw PayloadError(
                "too-large", "payload is \(data.count) bytes, more than limits.max_payload_bytes (\(maxPayloadBytes))")
        }
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw PayloadError("empty", "payload is empty")
        }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw PayloadError("not-utf8", "payload is not valid UTF-8")
        }
        if format == .generic, let events = try decodePlainAlerts(data, source: source, receivedAt: receivedAt) {
            return events
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw PayloadError(
                "bad-json", "payload is not valid JSON (truncated or malformed): \(Self.describe(error))")
        }
        return try decode(object: object, format: format, source: source, receivedAt: receivedAt)
    }

    public func decode(
        object: Any, format: PayloadFormat? = nil, source: EventSource, receivedAt: Timestamp
    ) throws(PayloadError) -> [Event] {
        let format = try { () throws(PayloadError) -> PayloadFormat in
            if let format { return format }
            return try Self.detect(object)
        }()
        switch format {
        case .alertmanager, .grafana:
            guard let dict = object as? [String: Any], let alerts = dict["alerts"] as? [Any] else {
                throw PayloadError("bad-shape", "a \(format.rawValue) webhook needs an 'alerts' array")
            }
            return try alertEvents(alerts, path: "alerts", source: source, receivedAt: receivedAt)
        case .generic:
            if let array = object as? [Any] {
                guard !array.isEmpty else { throw PayloadError("empty", "the array holds no alerts") }
                return try alertEvents(array, path: "", source: source, receivedAt: receivedAt)
            }
            return [try alertEvent(object, path: "alert", source: source, receivedAt: receivedAt)]
        case .pagerduty:
            return [try pagerDutyEvent(object, source: source, receivedAt: receivedAt)]
        case .journal:
            guard let dict = object as? [String: Any] else {
                throw PayloadError("bad-shape", "a journal entry is an object")
            }
            var fields: [String: String] = [:]
            for (key, value) in dict {
                if let s = value as? String {
                    fields[key] = s
                } else if let bytes = value as? [Any], let ints = bytes as? [Int] {
                    // journalctl prints binary or non-UTF-8 values as byte arrays.
                    fields[key] = String(decoding: ints.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
                } else if let list = value as? [Any], let first = list.first as? String {
                    fields[key] = first
                } else if let number = value as? NSNumber {
                    fields[key] = number.stringValue
                }
            }
            var event = try JournalEntryMapper.event(fields: fields, receivedAt: receivedAt)
            try check(event.labels, path: "journal entry")
            // It is a journal entry whatever carried it: its labels say source=journal, and so does its source.
            event.source = .journal
            return [event]
        }
    }

    /// Decides the format of a parsed payload from its shape.
    public static func detect(_ object: Any) throws(PayloadError) -> PayloadFormat {
        if object is [Any] { return .generic }
        guard let dict = object as? [String: Any] else {
            throw PayloadError("bad-shape", "payload must be a JSON object or an array of alert objects")
        }
        if dict["event_action"] != nil { return .pagerduty }
        if dict["alerts"] is [Any] {
            if dict["orgId"] != nil || dict["state"] != nil || dict["title"] != nil && dict["version"] as? String != "4"
            {
                return .grafana
            }
            return .alertmanager
        }
        if dict["MESSAGE"] != nil || dict["__REALTIME_TIMESTAMP"] != nil || dict["__CURSOR"] != nil { return .journal }
        if dict["labels"] != nil { return .generic }
        throw PayloadError(
            "unknown-format",
            "cannot tell the payload format: expected an alert with 'labels', an Alertmanager/Grafana webhook with 'alerts', a PagerDuty event with 'event_action', or a journal entry with 'MESSAGE'"
        )
    }

    func alertEvents(_ items: [Any], path: String, source: EventSource, receivedAt: Timestamp) throws(PayloadError)
        -> [Event]
    {
        var events: [Event] = []
        events.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            events.append(try alertEvent(item, path: "\(path)[\(i)]", source: source, receivedAt: receivedAt))
        }
        return events
    }

    func alertEvent(_ object: Any, path: String, source: EventSource, receivedAt: Timestamp) throws(PayloadError)
        -> Event
    {
        guard let dict = object as? [String: Any] else { throw PayloadError("bad-shape", "\(path) must be an object") }
        let labels = try stringMap(dict["labels"], path: "\(path).labels")
        guard !labels.isEmpty else {
            throw PayloadError("no-labels", "\(path).labels is missing or empty; an alert needs labels")
        }
        try check(labels, path: "\(path).labels")
        let annotations = try stringMap(dict["annotations"], path: "\(path).annotations")
        try checkAnnotations(annotations, path: "\(path).annotations")
        var startsAt = try time(dict["startsAt"], path: "\(path).startsAt")
        var endsAt = try time(dict["endsAt"], path: "\(path).endsAt")
        // Go's zero time means "not set", for startsAt as for endsAt (Alertmanager then uses the arrival time);
        // kept, it would put the event in year 1 and outside every window.
        if let s = startsAt, s.microseconds <= 0 { startsAt = nil }
        if let e = endsAt, e.microseconds <= 0 { endsAt = nil }
        let status: EventStatus
        switch dict["status"] {
        case nil, is NSNull:
            status = (endsAt.map { $0 <= receivedAt } ?? false) ? .resolved : .firing
        case let s as String:
            guard let parsed = EventStatus(rawValue: s) else {
                throw PayloadError("bad-status", "\(path).status is \(Self.excerpt(s)); use firing or resolved")
            }
            status = parsed
        default:
            throw PayloadError("bad-status", "\(path).status must be the string firing or resolved")
        }
        return Event(
            labels: labels, annotations: annotations, status: status, startsAt: startsAt, endsAt: endsAt,
            source: source,
            receivedAt: receivedAt, generatorURL: dict["generatorURL"] as? String)
    }

    func pagerDutyEvent(_ object: Any, source: EventSource, receivedAt: Timestamp) throws(PayloadError) -> Event {
        guard let dict = object as? [String: Any] else {
            throw PayloadError("bad-shape", "a PagerDuty event is an object")
        }
        guard let action = dict["event_action"] as? String else {
            throw PayloadError("bad-shape", "event_action must be trigger, acknowledge or resolve")
        }
        let payload = dict["payload"] as? [String: Any] ?? [:]
        var labels = Labels()
        for key in ["source", "component", "group", "class", "severity"] {
            if let value = payload[key] as? String, !value.isEmpty { labels[key] = value }
        }
        if let key = dict["dedup_key"] as? String, !key.isEmpty { labels["dedup_key"] = key }
        var status = EventStatus.firing
        var acknowledges = false
        switch action {
        case "trigger":
            guard payload["summary"] is String else {
                throw PayloadError("bad-shape", "a PagerDuty trigger needs payload.summary")
            }
        case "acknowledge" where !acceptsAcknowledgements:
            throw PayloadError(
                "acknowledge-refused",
                "a PagerDuty acknowledge is not taken on this path: sending alerts gives no right to acknowledge "
                    + "incidents. Acknowledge with `incidentctl ack`, or send it to POST /api/v1/webhook/pagerduty")
        case "resolve", "acknowledge":
            guard labels["dedup_key"] != nil else {
                throw PayloadError("bad-shape", "a PagerDuty \(action) needs the dedup_key of the alert it concerns")
            }
            if action == "resolve" { status = .resolved } else { acknowledges = true }
        default:
            throw PayloadError(
                "bad-shape", "event_action \(Self.excerpt(action)) is not trigger, acknowledge or resolve")
        }
        guard !labels.isEmpty else {
            throw PayloadError("no-labels", "the PagerDuty event has neither payload.source/severity nor dedup_key")
        }
        try check(labels, path: "payload")
        var annotations = Labels()
        if let summary = payload["summary"] as? String { annotations["summary"] = summary }
        if let details = payload["custom_details"], JSONSerialization.isValidJSONObject(details),
            let data = try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys])
        {
            annotations["details"] = String(decoding: data, as: UTF8.self)
        }
        try checkAnnotations(annotations, path: "payload")
        let at = try time(payload["timestamp"], path: "payload.timestamp")
        return Event(
            labels: labels, annotations: annotations, status: status, startsAt: at,
            endsAt: status == .resolved ? receivedAt : nil, source: source, receivedAt: receivedAt,
            acknowledges: acknowledges)
    }

    func stringMap(_ value: Any?, path: String) throws(PayloadError) -> Labels {
        switch value {
        case nil, is NSNull: return Labels()
        case let dict as [String: Any]:
            // Collected, then sorted once: inserting key by key into the sorted set is quadratic, and a payload
            // under max_payload_bytes can hold 400k keys (a minute of CPU before this).
            var values: [String: String] = [:]
            values.reserveCapacity(dict.count)
            for (key, raw) in dict {
                switch raw {
                case let s as String: values[key] = s
                case let n as NSNumber: values[key] = n.stringValue
                case is NSNull: continue
                default:
                    // The first bad key in name order, not in the dictionary's (per-process, unordered) one: the
                    // same payload always gets the same error.
                    let first =
                        dict.filter { !($0.value is String || $0.value is NSNumber || $0.value is NSNull) }.keys.min()
                        ?? key
                    throw PayloadError(
                        "bad-label", "\(path).\(Self.shortName(first)) must be a string, not an object or array")
                }
            }
            return Labels(values)
        default:
            throw PayloadError("bad-shape", "\(path) must be an object of strings")
        }
    }

    func check(_ labels: Labels, path: @autoclosure () -> String) throws(PayloadError) {
        guard labels.count <= maxLabels else {
            throw PayloadError(
                "too-many-labels", "\(path()) has \(labels.count) labels, more than limits.max_labels (\(maxLabels))")
        }
        for label in labels {
            guard label.value.utf8.count <= maxLabelValueBytes else {
                throw PayloadError(
                    "label-too-long",
                    "\(path()).\(Self.shortName(label.name)) is \(label.value.utf8.count) bytes, more than limits.max_label_value_bytes (\(maxLabelValueBytes))"
                )
            }
            guard !label.name.isEmpty else { throw PayloadError("bad-label", "\(path()) has an empty label name") }
            guard label.name.utf8.count <= maxLabelNameBytes else {
                throw PayloadError(
                    "label-too-long",
                    "\(path()) has a label name of \(label.name.utf8.count) bytes (\(Self.excerpt(label.name))), more than limits.max_label_name_bytes (\(maxLabelNameBytes))"
                )
            }
        }
    }

    func checkAnnotations(_ annotations: Labels, path: @autoclosure () -> String) throws(PayloadError) {
        var total = 0
        for annotation in annotations {
            total += annotation.name.utf8.count + annotation.value.utf8.count
            guard annotation.name.utf8.count <= maxLabelNameBytes else {
                throw PayloadError(
                    "annotation-too-long",
                    "\(path()) has a name of \(annotation.name.utf8.count) bytes (\(Self.excerpt(annotation.name))), more than limits.max_label_name_bytes (\(maxLabelNameBytes))"
                )
            }
        }
        guard total <= maxAnnotationBytes else {
            throw PayloadError(
                "annotation-too-long",
                "\(path()) hold \(total) bytes, more than limits.max_annotation_bytes (\(maxAnnotationBytes))")
        }
    }

    /// A sender's key as a path in an error message: as it is up to 64 characters, cut with `...` after.
    static func shortName(_ text: some StringProtocol) -> String {
        text.count <= 64 ? String(text) : "\(text.prefix(64))..."
    }

    /// A sender's text as an error message may show it: at most 64 characters, quoted, so that an error reply or
    /// a log line never carries a megabyte that somebody sent.
    static func excerpt(_ text: some StringProtocol) -> String {
        text.count <= 64 ? "'\(text)'" : "'\(text.prefix(64))...' (\(text.utf8.count) bytes)"
    }

    /// The error paths are built only for an error: a batch of alerts would otherwise build several strings per
    /// alert that nobody reads.
    func time(_ value: Any?, path: @autoclosure () -> String) throws(PayloadError) -> Timestamp? {
        switch value {
        case nil, is NSNull: return nil
        case let s as String: return try time(string: s, path: path())
        default:
            throw PayloadError("bad-time", "\(path()) must be an RFC 3339 string")
        }
    }

    /// A time given as a string, or none: empty is none.
    func time(string: String?, path: @autoclosure () -> String) throws(PayloadError) -> Timestamp? {
        guard let s = string, !s.isEmpty else { return nil }
        guard let t = Timestamp(rfc3339: s) else {
            throw PayloadError(
                "bad-time",
                "\(path()) \(Self.excerpt(s)) is not an RFC 3339 time like 2026-11-22T06:18:48Z, in the years 0001 to 9999"
            )
        }
        return t
    }

    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo["NSDebugDescription"] as? String { return detail }
        return ns.localizedDescription
    }
}
