import Foundation
import GRDB
import IncidentCore

// Turning Core values into column values and rows back into Core values. Every read goes through here, so a
// row a newer or damaged writer left behind is reported as `corrupt` rather than crashing the daemon.
extension SQLiteStore {
    /// Every row of `statement`, each converted while the statement is on it. A row GRDB copies out
    /// (`Row.fetchAll`, `Row.fetchOne`) finds a column by name by lower-casing the names before it, on every
    /// lookup: reading an outbox row or an incident that way lower-cased some 150 strings, and the delivery's
    /// reads spent about 2% of the daemon's samples in `String.lowercased()` (BENCHMARKS.md, issue 16). The
    /// cursor's row finds a column in a table built once per run of the statement, and copies nothing.
    static func rows<T>(
        _ statement: Statement, _ arguments: StatementArguments, _ convert: (Row) throws -> T
    ) throws -> [T] {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var values: [T] = []
        try cursor.forEach { values.append(try convert($0)) }
        return values
    }

    /// The first row of `statement`, converted, or nil; see `rows`.
    static func firstRow<T>(
        _ statement: Statement, _ arguments: StatementArguments, _ convert: (Row) throws -> T
    ) throws -> T? {
        // The cursor resets the statement when it goes away, which clears the row: it lives until the row is read.
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        return try withExtendedLifetime(cursor) { try cursor.next().map(convert) }
    }

    static func json(_ labels: Labels) throws -> String { labels.jsonText }

    static func json(_ escalation: Incident.Escalation?) throws -> String? {
        guard let escalation else { return nil }
        return EscalationColumn(escalation).jsonText
    }

    func corrupt(_ table: String, _ column: String, _ value: String) -> StoreError {
        StoreError(
            .corrupt, store: path,
            message: "the store \(path) holds a value this build cannot read in \(table).\(column): \(value); "
                + "it was written by another program or version. Restore a backup or move the file away.")
    }

    func labels(_ row: Row, _ table: String, _ column: String) throws -> Labels {
        let text: String = row[column]
        if let labels = Labels(jsonText: text) { return labels }
        do {
            return try JSONDecoder().decode(Labels.self, from: Data(text.utf8))
        } catch {
            throw corrupt(table, column, text)
        }
    }

    func value<E: RawRepresentable>(_ row: Row, _ table: String, _ column: String) throws -> E
    where E.RawValue == String {
        let text: String = row[column]
        guard let value = E(rawValue: text) else { throw corrupt(table, column, text) }
        return value
    }

    func time(_ row: Row, _ column: String) -> Timestamp {
        Timestamp(microseconds: row[column])
    }

    func optionalTime(_ row: Row, _ column: String) -> Timestamp? {
        (row[column] as Int64?).map(Timestamp.init(microseconds:))
    }

    func incident(from row: Row) throws -> Incident {
        var escalation: Incident.Escalation?
        if let text: String = row["escalation"] {
            do {
                escalation = try JSONDecoder().decode(EscalationColumn.self, from: Data(text.utf8)).escalation
            } catch {
                throw corrupt("incidents", "escalation", text)
            }
        }
        return Incident(
            number: row["number"], title: row["title"], kind: try value(row, "incidents", "kind"),
            state: try value(row, "incidents", "state"), impact: try value(row, "incidents", "impact"),
            urgency: try value(row, "incidents", "urgency"), priority: try value(row, "incidents", "priority"),
            rule: row["rule"], groupKey: row["group_key"], labels: try labels(row, "incidents", "labels"),
            alerts: row["alerts"], events: row["events"], flapping: row["flapping"], escalation: escalation,
            openedAt: time(row, "opened_at"), acknowledgedAt: optionalTime(row, "acknowledged_at"),
            acknowledgedBy: row["acknowledged_by"], resolvedAt: optionalTime(row, "resolved_at"),
            closedAt: optionalTime(row, "closed_at"), silenced: row["silenced"] ?? false)
    }

    func alert(from row: Row) throws -> AlertSnapshot {
        let hex: String = row["fingerprint"]
        guard let fingerprint = Fingerprint(hex: hex) else { throw corrupt("alerts", "fingerprint", hex) }
        return AlertSnapshot(
            fingerprint: fingerprint, incident: row["incident"], labels: try labels(row, "alerts", "labels"),
            annotations: try labels(row, "alerts", "annotations"), status: try value(row, "alerts", "status"),
            firstSeen: time(row, "first_seen"), lastSeen: time(row, "last_seen"), events: row["events"],
            suppressed: row["suppressed"])
    }

    func event(from row: Row) throws -> Event {
        Event(
            labels: try labels(row, "events", "labels"), annotations: try labels(row, "events", "annotations"),
            status: try value(row, "events", "status"), startsAt: optionalTime(row, "starts_at"),
            endsAt: optionalTime(row, "ends_at"), source: try value(row, "events", "source"),
            receivedAt: time(row, "received_at"), generatorURL: row["generator_url"],
            acknowledges: row["acknowledges"])
    }

    func outboxEntry(from row: Row) throws -> OutboxEntry {
        let notification = Notification(
            incident: row["incident"], notifier: row["notifier"], policy: row["policy"], step: row["step"],
            round: row["round"], due: time(row, "due"), moment: row["moment"], user: row["recipient"])
        return OutboxEntry(
            id: row["id"], notification: notification, state: try value(row, "outbox", "state"),
            attempts: row["attempts"], nextAttempt: time(row, "next_attempt"), lastError: row["last_error"],
            deliveredAt: optionalTime(row, "delivered_at"))
    }
}
