import IncidentCore

/// Maps a journal entry's fields to an event (SPEC §4); shared by the journal source, replay and `explain`.
public enum JournalEntryMapper {
    /// The fields the mapping reads; a journal reader need fetch no others.
    public static let fields = JournalFields.Slot.allCases.map(\.name)

    /// Fields journald itself sets from the kernel's view of the sender, which a logging process cannot choose,
    /// and the annotation each becomes. `SYSLOG_IDENTIFIER`, `UNIT` and `MESSAGE_ID` are whatever the sender
    /// wrote (`logger -t sshd` is one command away for any local user), so a rule that raises a security or
    /// outage incident from a journal line also names one of these: `uid="0"` (root wrote it), `exe`
    /// (the binary that wrote it), `transport="kernel"` (the kernel's ring buffer) or `systemd_unit` (the unit's
    /// cgroup). `comm` is mapped for reading, but a process can rename itself, so it proves nothing.
    public static let trustedFields: [(field: String, annotation: String)] = trustedSlots.map { ($0.slot.name, $0.1) }

    /// Where the `unit` label comes from, first one first.
    static let unitSlots: [JournalFields.Slot] = [.unit, .userUnit, .systemdUnit]

    /// In the annotations' name order, which is the order `event` adds them in (any order would be right).
    static let trustedSlots: [(slot: JournalFields.Slot, annotation: String)] = [
        (.comm, "comm"), (.exe, "exe"), (.systemdUnit, "systemd_unit"), (.transport, "transport"), (.uid, "uid"),
    ]
    /// Those named before `message`, and after it and `message_bytes`.
    static let trustedBeforeMessage = trustedSlots.filter { $0.annotation < "message" }
    static let trustedAfterMessage = trustedSlots.filter { $0.annotation > "message_bytes" }

    public static func severity(priority: Int) -> String {
        switch priority {
        case ...2: "critical"
        case 3: "error"
        case 4: "warning"
        default: "info"
        }
    }

    /// The most of a `MESSAGE` an event keeps: 64 KiB. A longer log line is kept cut at a character boundary,
    /// with `message_bytes` saying how long it was; refusing it would lose a real problem's only trace.
    public static let maxMessageBytes = 65_536

    /// The event for an entry; throws when the entry cannot be mapped (no message and no identity).
    public static func event(fields: [String: String], receivedAt: Timestamp) throws(PayloadError) -> Event {
        try event(fields: JournalFields(fields), receivedAt: receivedAt)
    }

    /// The event for an entry's fields read into their slots (the journal source's path: no name is hashed).
    public static func event(fields: JournalFields, receivedAt: Timestamp) throws(PayloadError) -> Event {
        // Both sets are built in their names' order and made into sets as they are (`Labels.init(_: [Label])`):
        // setting them one by one searched and inserted each, 3% of the daemon's CPU on the journal path, and
        // arrays of pairs sorted into a second array made and freed two arrays more per entry (issue 16).
        // Each array sized exactly: the engine keeps these sets for as long as the alert is active.
        func present(_ slot: JournalFields.Slot) -> String? { fields[slot].flatMap { $0.isEmpty ? nil : $0 } }
        let (host, identifier, messageID) = (present(.hostname), present(.identifier), present(.messageID))
        // An empty UNIT= is no unit; it must not hide USER_UNIT or _SYSTEMD_UNIT.
        let unit = unitSlots.lazy.compactMap(present).first
        let priority = fields[.priority].flatMap { Int($0) }.map { min(max($0, 0), 7) } ?? 6
        var labels: [Label] = []
        func one(_ value: String?) -> Int { value == nil ? 0 : 1 }
        labels.reserveCapacity(3 + one(host) + one(identifier) + one(messageID) + one(unit))
        if let host { labels.append(Label("host", host)) }
        if let identifier { labels.append(Label("identifier", identifier)) }
        if let messageID { labels.append(Label("message_id", messageID)) }
        labels.append(Label("priority", String(priority)))
        labels.append(Label("severity", severity(priority: priority)))
        labels.append(Label("source", "journal"))
        if let unit { labels.append(Label("unit", unit)) }
        guard var message = fields[.message] else {
            throw PayloadError("no-message", "the journal entry has no MESSAGE field")
        }
        var messageBytes: String?
        if message.utf8.count > maxMessageBytes {
            messageBytes = String(message.utf8.count)
            message = truncated(message, toBytes: maxMessageBytes)
        }
        var trustedCount = 0
        for i in trustedSlots.indices where present(trustedSlots[i].slot) != nil { trustedCount += 1 }
        var annotations: [Label] = []
        annotations.reserveCapacity(1 + one(messageBytes) + trustedCount)
        func trusted(_ slots: [(slot: JournalFields.Slot, annotation: String)]) {
            for i in slots.indices {
                if let value = present(slots[i].slot) { annotations.append(Label(slots[i].annotation, value)) }
            }
        }
        trusted(trustedBeforeMessage)
        annotations.append(Label("message", message))
        if let messageBytes { annotations.append(Label("message_bytes", messageBytes)) }
        trusted(trustedAfterMessage)
        var time = receivedAt
        if let raw = fields[.realtime] {
            guard let micros = Int64(raw) else {
                throw PayloadError(
                    "bad-time",
                    "__REALTIME_TIMESTAMP \(PayloadDecoder.excerpt(raw)) is not microseconds since the epoch")
            }
            time = Timestamp(microseconds: micros)
            guard time.isValid else {
                throw PayloadError(
                    "bad-time", "__REALTIME_TIMESTAMP \(micros) is outside the years 0001 to 9999")
            }
        }
        return Event(
            labels: Labels(labels), annotations: Labels(annotations), status: .firing, startsAt: time, source: .journal,
            receivedAt: receivedAt)
    }

    /// The longest prefix of `text` of at most `bytes` UTF-8 bytes that ends on a character boundary.
    static func truncated(_ text: String, toBytes bytes: Int) -> String {
        var end = text.utf8.index(text.startIndex, offsetBy: bytes)
        while end > text.startIndex, end.samePosition(in: text.unicodeScalars) == nil {
            end = text.utf8.index(before: end)
        }
        return String(text[..<end])
    }
}

/// The fields of a journal entry the mapping reads, each in its own slot: what a journal reader fills as it
/// enumerates an entry's items, without the dictionary whose hashing of every name was 7% of the daemon's CPU on
/// the journal path (BENCHMARKS.md, issue 16).
public struct JournalFields: Sendable, Equatable {
    /// The fields, in the order of `JournalEntryMapper.fields`.
    public enum Slot: Int, CaseIterable, Sendable {
        case hostname, unit, userUnit, systemdUnit, identifier, priority, messageID, message, realtime, uid, exe
        case comm, transport

        /// The journal's name of the field.
        public var name: String {
            switch self {
            case .hostname: "_HOSTNAME"
            case .unit: "UNIT"
            case .userUnit: "USER_UNIT"
            case .systemdUnit: "_SYSTEMD_UNIT"
            case .identifier: "SYSLOG_IDENTIFIER"
            case .priority: "PRIORITY"
            case .messageID: "MESSAGE_ID"
            case .message: "MESSAGE"
            case .realtime: "__REALTIME_TIMESTAMP"
            case .uid: "_UID"
            case .exe: "_EXE"
            case .comm: "_COMM"
            case .transport: "_TRANSPORT"
            }
        }
    }

    private var values = [String?](repeating: nil, count: Slot.allCases.count)

    public init() {}

    /// The mapped fields of `fields`; the others are left out.
    public init(_ fields: [String: String]) {
        for slot in Slot.allCases { values[slot.rawValue] = fields[slot.name] }
    }

    /// Clears every slot in place: a reader fills the same fields for each entry, and a new set of slots allocated
    /// its array (and looked up its type's metadata under a lock) every time.
    public mutating func removeAll() {
        for i in values.indices { values[i] = nil }
    }

    public subscript(slot: Slot) -> String? {
        get { values[slot.rawValue] }
        set { values[slot.rawValue] = newValue }
    }

    /// The fields set, by name.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for slot in Slot.allCases { if let value = values[slot.rawValue] { result[slot.name] = value } }
        return result
    }
}
