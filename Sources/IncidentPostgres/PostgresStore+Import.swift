import Foundation
import IncidentCore
import PostgresNIO

extension PostgresStore {
    /// The columns PostgreSQL keeps as BOOLEAN where SQLite keeps 0 or 1.
    static let booleanColumns: Set<String> = ["acknowledges", "flapping", "silenced", "suppressed"]

    /// Copies a whole store into this one in one transaction (`incidentctl store copy`): `next` is called for
    /// each table of `StoreCopyTables` until it returns no rows. Refused unless this database holds no event and
    /// no incident and nobody leads it. Ids are kept; the counters and sequences continue after them. Returns
    /// the rows copied per table.
    public func importStore(
        _ next:
            @escaping @Sendable (_ table: String, _ columns: [String], _ after: Int64) async throws -> (
                rows: [[ColumnValue]], last: Int64
            )?
    ) async throws -> [String: Int] {
        try await write("copy a store into", unbounded: true) { connection in
            let held = try await connection.rows(
                SQL(
                    "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM incidents) AS n, "
                        + "(SELECT COUNT(*) FROM incidentd_leader WHERE expires_at > clock_timestamp()) AS led"),
                logger: self.logger
            ).first.map { (try RowReader($0, "events", self).int("n"), try RowReader($0, "events", self).int("led")) }
            if let (rows, led) = held, rows > 0 || led > 0 {
                throw StoreError(
                    .other, store: self.address,
                    message: led > 0
                        ? "an incidentd instance leads \(self.address) now; stop every instance before copying into it."
                        : "\(self.address) already holds \(rows) events and incidents; copy into an empty database.")
            }
            var counts: [String: Int] = [:]
            for (table, columns) in StoreCopyTables.all {
                var after: Int64 = 0
                counts[table] = 0
                while let page = try await next(table, columns, after), !page.rows.isEmpty {
                    try await self.insert(table, columns, page.rows, on: connection)
                    counts[table, default: 0] += page.rows.count
                    after = page.last
                }
            }
            // The source is read a page at a time: a daemon still writing it (which the copy's documentation
            // forbids) could have dropped the parts of the checkpoint the copied row names. Refused rather than
            // leaving a store whose daemon would not start.
            let checkpoint = try await connection.rows(
                SQL(
                    "SELECT parts, (SELECT COUNT(*) FROM engine_state_parts p WHERE p.generation = s.generation "
                        + "AND p.seq < s.parts) AS copied FROM engine_state s WHERE s.id = 1"),
                logger: self.logger
            ).first.map { row in
                let r = RowReader(row, "engine_state", self)
                return (try r.int("parts"), try r.int("copied"))
            }
            if let (parts, copied) = checkpoint, parts > 0, copied != parts {
                throw StoreError(
                    .other, store: self.address,
                    message: "the source's engine checkpoint is in \(parts) parts, of which \(copied) were read: it "
                        + "changed during the copy. Stop every incidentd using the source and copy again.")
            }
            // The engine state's row is replaced, not added to (the target has none: it is empty).
            try await connection.run(
                "UPDATE incidentd_counters SET value = (SELECT COALESCE(MAX(id), 0) FROM events) WHERE name = 'events'",
                logger: self.logger)
            // The source may have purged events (ids below its largest that it no longer holds): `eventCount` is
            // the ids drawn less these.
            try await connection.run(
                "UPDATE incidentd_counters SET value = (SELECT COALESCE(MAX(id), 0) - COUNT(*) FROM events) "
                    + "WHERE name = 'events_purged'",
                logger: self.logger)
            for table in ["timeline", "notes", "outbox", "kb_articles"] {
                try await connection.run(
                    "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), "
                        + "(SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)), false)",
                    logger: self.logger)
            }
            return counts
        }
    }

    func insert(_ table: String, _ columns: [String], _ rows: [[ColumnValue]], on connection: PostgresConnection)
        async throws
    {
        let bytes = { (row: [ColumnValue]) in
            row.reduce(BoundBytes.row) { total, value in
                switch value {
                case .text(let s): total + BoundBytes.text(s)
                case .blob(let b): total + b.count
                case .null, .integer, .real: total + 8
                }
            }
        }
        for chunk in chunks(rows, columns: columns.count, maxBytes: statementBytes, bytes: bytes) {
            var sql = SQL("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ")
            var tuples: [String] = []
            for row in chunk {
                guard row.count == columns.count else {
                    throw corrupt(table, "*", "a row of \(row.count) values for \(columns.count) columns")
                }
                let values = zip(columns, row).map { column, value -> String in
                    switch value {
                    case .null: return sql.bind(String?.none)
                    case .integer(let n):
                        return Self.booleanColumns.contains(column) ? sql.bind(n != 0) : sql.bind(n)
                    case .real(let d): return sql.bind(d)
                    case .text(let s): return sql.bind(s)
                    case .blob(let b): return sql.bind(b)
                    }
                }
                tuples.append("(" + values.joined(separator: ", ") + ")")
            }
            sql.text += tuples.joined(separator: ", ")
            if table == "engine_state" {
                sql.text +=
                    " ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data, "
                    + "saved_at = excluded.saved_at, through_event = excluded.through_event, "
                    + "generation = excluded.generation, parts = excluded.parts"
            }
            try await connection.run(sql, logger: logger)
        }
    }
}
