import IncidentCore

/// Maps a journal entry's fields to an event (SPEC §4); shared by the journal source, replay and `explain`.
public enum JournalEntryMapper {
    /// The fields the mapping reads; a journal reader need fetch no others.
    public static let fields = [
        "_HOSTNAME", "UNIT", "USER_UNIT", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "PRIORITY", "MESSAGE_ID", "MESSAGE",
        "__REALTIME_TIMESTAMP",
    ]

    public static func severity(priority: Int) -> String {
        switch priority {
        case ...2: "critical"
        case 3: "error"
        case 4: "warning"
        default: "info"
        }
    }

    /// The event for an entry; throws when the entry cannot be mapped (no message and no identity).
    public static func event(fields: [String: String], receivedAt: Timestamp) throws(PayloadError) -> Event {
        var labels: Labels = ["source": "journal"]
        if let host = fields["_HOSTNAME"], !host.isEmpty { labels["host"] = host }
        // An empty UNIT= is no unit; it must not hide USER_UNIT or _SYSTEMD_UNIT.
        let units = ["UNIT", "USER_UNIT", "_SYSTEMD_UNIT"].lazy.compactMap { fields[$0] }
        if let unit = units.first(where: { !$0.isEmpty }) { labels["unit"] = unit }
        if let identifier = fields["SYSLOG_IDENTIFIER"], !identifier.isEmpty { labels["identifier"] = identifier }
        let priority = fields["PRIORITY"].flatMap { Int($0) }.map { min(max($0, 0), 7) } ?? 6
        labels["priority"] = String(priority)
        labels["severity"] = severity(priority: priority)
        if let id = fields["MESSAGE_ID"], !id.isEmpty { labels["message_id"] = id }
        guard let message = fields["MESSAGE"] else {
            throw PayloadError("no-message", "the journal entry has no MESSAGE field")
        }
        var time = receivedAt
        if let raw = fields["__REALTIME_TIMESTAMP"] {
            guard let micros = Int64(raw) else {
                throw PayloadError("bad-time", "__REALTIME_TIMESTAMP '\(raw)' is not microseconds since the epoch")
            }
            time = Timestamp(microseconds: micros)
        }
        return Event(
            labels: labels, annotations: ["message": message], status: .firing, startsAt: time, source: .journal,
            receivedAt: receivedAt)
    }
}
