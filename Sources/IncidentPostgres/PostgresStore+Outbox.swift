import IncidentCore
import PostgresNIO

// The outbox as in the SQLite store: pending → delivered | failed | cancelled, pending → pending with one more
// attempt; a row leaves `pending` once. Updates match `state = 'pending'` and return the row they changed, so
// two writers racing on one row cannot both settle it.
extension PostgresStore: OutboxStore {
    public func dueOutbox(before time: Timestamp, limit: Int) async throws -> [OutboxEntry] {
        let sql = Self.OutboxSQL.due(before: time, limit: limit)
        return try await read("read the outbox of") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map(self.outboxEntry(from:))
        }
    }

    public func outboxStatus(at time: Timestamp) async throws -> OutboxStatus {
        let sql = Self.OutboxSQL.status(at: time)
        return try await read("read the outbox status of") { [sql] connection in
            guard let row = try await connection.rows(sql, logger: self.logger).first else {
                return OutboxStatus(pending: 0, oldestDue: nil)
            }
            let r = RowReader(row, "outbox", self)
            return OutboxStatus(pending: try r.int("pending"), oldestDue: try r.optionalTime("oldest_due"))
        }
    }

    public func markDelivered(id: Int64, at time: Timestamp) async throws {
        var sql = SQL()
        sql.text = "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = "
        sql.text += sql.bind(time.microseconds)
        try await updatePending(id, "mark outbox row \(id) delivered in", sql)
    }

    public func recordAttempt(id: Int64, error: String, nextAttempt: Timestamp) async throws {
        var sql = SQL()
        sql.text =
            "UPDATE outbox SET attempts = attempts + 1, last_error = \(sql.bind(error)), "
            + "next_attempt = \(sql.bind(nextAttempt.microseconds))"
        try await updatePending(id, "record a delivery attempt for outbox row \(id) in", sql)
    }

    public func markFailed(id: Int64, error: String) async throws {
        var sql = SQL()
        sql.text = "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = \(sql.bind(error))"
        try await updatePending(id, "mark outbox row \(id) failed in", sql)
    }

    /// Runs `update` (an `UPDATE outbox SET …` without its WHERE) on the row if it is still pending.
    func updatePending(_ id: Int64, _ doing: String, _ update: SQL) async throws {
        var sql = update
        sql.text += " WHERE state = 'pending' AND id = \(sql.bind(id)) RETURNING id"
        try await write(doing) { [sql] connection in
            guard try await connection.rows(sql, logger: self.logger).isEmpty else { return }
            let state = try await self.outboxState(id, on: connection)
            throw StoreError(
                .notPending, store: self.address,
                message: "outbox row \(id) in \(self.address) is " + (state.map { "already \($0)" } ?? "not there")
                    + "; its delivery outcome cannot be recorded again. This is a bug in incidentd: please report "
                    + "it with this message.")
        }
    }

    func outboxState(_ id: Int64, on connection: PostgresConnection) async throws -> String? {
        var sql = SQL("SELECT state FROM outbox WHERE id = ")
        sql.text += sql.bind(id)
        return try await connection.rows(sql, logger: logger).first.map {
            try RowReader($0, "outbox", self).get("state")
        }
    }

    /// Every outcome in one transaction, as the SQLite store: a row that is no longer pending gets its error in
    /// the result and the others are settled; a cancelled row's attempt is recorded without retry or fallback.
    public func settle(_ items: [OutboxSettlementItem]) async throws -> [(any Error)?] {
        try await write("record \(items.count) delivery outcomes in") { connection in
            var results: [(any Error)?] = []
            for item in items {
                do {
                    try await self.settle(item, on: connection)
                    results.append(nil)
                } catch let error as StoreError where error.code == .notPending {
                    results.append(error)
                }
            }
            return results
        }
    }

    func settle(_ item: OutboxSettlementItem, on connection: PostgresConnection) async throws {
        let id = item.entry.id
        var sql = SQL("UPDATE outbox SET ")
        switch item.settlement {
        case .delivered(let at, _):
            sql.text += "state = 'delivered', attempts = attempts + 1, delivered_at = \(sql.bind(at.microseconds))"
        case .retry(let error, let next):
            sql.text +=
                "attempts = attempts + 1, last_error = \(sql.bind(error)), next_attempt = \(sql.bind(next.microseconds))"
        case .failed(let error, _):
            sql.text += "state = 'failed', attempts = attempts + 1, last_error = \(sql.bind(error))"
        }
        sql.text += " WHERE state = 'pending' AND id = \(sql.bind(id)) RETURNING id"
        guard try await !connection.rows(sql, logger: logger).isEmpty else {
            if try await outboxState(id, on: connection) == "cancelled" {
                try await settleCancelled(item, on: connection)
                return
            }
            throw StoreError(
                .notPending, store: address,
                message: "outbox row \(id) in \(address) is no longer pending; its delivery outcome cannot be "
                    + "recorded again. This is a bug in incidentd: please report it with this message.")
        }
        if case .failed(_, let fallback?) = item.settlement {
            try await insertOutbox([fallback], on: connection)
        }
        try await insertTimeline(incident: item.entry.notification.incident, item.line, on: connection)
    }

    func settleCancelled(_ item: OutboxSettlementItem, on connection: PostgresConnection) async throws {
        var sql = SQL("UPDATE outbox SET ")
        switch item.settlement {
        case .delivered(let at, _):
            sql.text += "state = 'delivered', attempts = attempts + 1, delivered_at = \(sql.bind(at.microseconds))"
        case .retry(let error, _), .failed(let error, _):
            sql.text += "attempts = attempts + 1, last_error = \(sql.bind(error))"
        }
        sql.text += " WHERE state = 'cancelled' AND id = \(sql.bind(item.entry.id))"
        try await connection.run(sql, logger: logger)
        try await insertTimeline(incident: item.entry.notification.incident, item.line, on: connection)
    }

    /// Fenced like a write: a deposed leader (stopped, then resumed after another took over) learns it here,
    /// just before it would send a page, and sends nothing.
    public func isPending(outbox id: Int64) async throws -> Bool {
        try await write("read the outbox of") { connection in
            try await self.outboxState(id, on: connection) == "pending"
        }
    }

    /// The fenced check first (a deposed leader learns it here and sends nothing), then the two reads; a failure
    /// of either of those leaves its part nil, and the page goes out without it, as before.
    public func attemptContext(outbox id: Int64, attempts: Int, incident number: Int) async throws
        -> OutboxAttemptContext?
    {
        let current = try await write("read the outbox of") { connection in
            var sql = SQL("SELECT 1 FROM outbox WHERE state = 'pending' AND id = ")
            sql.text += sql.bind(id) + " AND attempts = " + sql.bind(Int64(attempts))
            return try await !connection.rows(sql, logger: self.logger).isEmpty
        }
        guard current else { return nil }
        let incident = try? await self.incident(number)
        let latest = try? await latestAlert(of: number)
        return OutboxAttemptContext(incident: incident, latestAlert: latest)
    }

    public func nextOutboxAttempt() async throws -> Timestamp? {
        try await read("read the outbox of") { connection in
            try await connection.rows(Self.OutboxSQL.nextAttempt(), logger: self.logger).first
                .flatMap { try RowReader($0, "outbox", self).optionalTime("next") }
        }
    }
}

extension PostgresStore {
    /// The outbox's reads of pending rows, as the SQLite store's `OutboxSQL`: each asks for `state = 'pending'` in
    /// those words, which lets PostgreSQL use the outbox's partial indexes (schema 5: they hold pending rows only).
    /// `PostgresStoreTests` plans these statements.
    enum OutboxSQL {
        /// The notifiers with pending rows by a loose index scan, then each one's first due rows from
        /// `outbox_pending_by_notifier`, instead of a window over every pending row.
        static func due(before time: Timestamp, limit: Int) -> SQL {
            var sql = SQL()
            let at = sql.bind(time.microseconds)
            let most = sql.bind(Int64(max(0, limit)))
            sql.text = """
                WITH RECURSIVE notifiers(name) AS (
                    SELECT (SELECT MIN(notifier) FROM outbox WHERE state = 'pending')
                    UNION ALL
                    SELECT (SELECT MIN(notifier) FROM outbox WHERE state = 'pending' AND notifier > notifiers.name)
                    FROM notifiers WHERE notifiers.name IS NOT NULL
                )
                SELECT due.* FROM notifiers CROSS JOIN LATERAL (
                    SELECT * FROM outbox
                    WHERE state = 'pending' AND notifier = notifiers.name AND next_attempt <= \(at)
                    ORDER BY next_attempt, id LIMIT \(most)
                ) AS due
                ORDER BY due.next_attempt, due.id
                """
            return sql
        }

        /// The earliest next attempt of a pending row.
        static func nextAttempt() -> SQL {
            SQL("SELECT MIN(next_attempt) AS next FROM outbox WHERE state = 'pending'")
        }

        /// How many rows are pending, and the oldest due time among those due by `time`.
        static func status(at time: Timestamp) -> SQL {
            var sql = SQL()
            sql.text =
                "SELECT COUNT(*) AS pending, MIN(CASE WHEN due <= \(sql.bind(time.microseconds)) THEN due END) "
                + "AS oldest_due FROM outbox WHERE state = 'pending'"
            return sql
        }

        /// An incident's pending escalation steps due by the cancellation's time, locked for the update.
        static func cancellable(_ cancellation: NotificationCancellation) -> SQL {
            var sql = SQL(
                "SELECT id, notifier, policy, step, round, idempotency_key, attempts, last_error FROM outbox "
                    + "WHERE incident = ")
            sql.text +=
                sql.bind(Int64(cancellation.incident)) + " AND state = 'pending' AND moment IS NULL AND due <= "
                + sql.bind(cancellation.at.microseconds) + " ORDER BY id FOR UPDATE"
            return sql
        }
    }
}
