import GRDB
import IncidentCore

// The outbox's state machine: pending → delivered, pending → failed, and pending → pending with one more
// attempt. A row leaves `pending` once, so a delivered page is never handed out again.
extension SQLiteStore {
    /// Pending rows whose next attempt is at or before `time`, earliest first (ties by queueing order), at most
    /// `limit` per notifier. With one limit for all, a burst of pages for one notifier (hundreds of new
    /// incidents paging on-call) kept a newer page for another out of the read until the burst had drained.
    public func dueOutbox(before time: Timestamp, limit: Int) async throws -> [OutboxEntry] {
        try await read("read the outbox of") { db in
            try Self.rows(
                db.cachedStatement(sql: OutboxSQL.due),
                [time.microseconds, limit]
            ) { try self.outboxEntry(from: $0) }
        }
    }

    /// A row waiting out a retry backoff still counts as due: its page is late all the same, and "escalation
    /// overdue" must not flicker off between attempts.
    public func outboxStatus(at time: Timestamp) async throws -> OutboxStatus {
        try await read("read the outbox status of") { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: OutboxSQL.status),
                arguments: [time.microseconds])
            let oldest: Int64? = row?["oldest_due"]
            return OutboxStatus(pending: row?["pending"] ?? 0, oldestDue: oldest.map(Timestamp.init(microseconds:)))
        }
    }

    public func markDelivered(id: Int64, at time: Timestamp) async throws {
        try await updatePending(
            id, "mark outbox row \(id) delivered in",
            set: "state = 'delivered', attempts = attempts + 1, delivered_at = ?", [time.microseconds])
    }

    public func recordAttempt(id: Int64, error: String, nextAttempt: Timestamp) async throws {
        try await updatePending(
            id, "record a delivery attempt for outbox row \(id) in",
            set: "attempts = attempts + 1, last_error = ?, next_attempt = ?", [error, nextAttempt.microseconds])
    }

    public func markFailed(id: Int64, error: String) async throws {
        try await updatePending(
            id, "mark outbox row \(id) failed in", set: "state = 'failed', attempts = attempts + 1, last_error = ?",
            [error])
    }

    func updatePending(_ id: Int64, _ doing: String, set: String, _ arguments: StatementArguments) async throws {
        let path = path
        try await write(doing) { db in
            try db.execute(
                sql: "UPDATE outbox SET \(set) WHERE id = ? AND state = 'pending'", arguments: arguments + [id])
            guard db.changesCount == 1 else {
                let state = try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE id = ?", arguments: [id])
                throw StoreError(
                    .notPending, store: path,
                    message: "outbox row \(id) in \(path) is "
                        + (state.map { "already \($0)" } ?? "not there")
                        + "; its delivery outcome cannot be recorded again. This is a bug in incidentd: please "
                        + "report it with this message.")
            }
        }
    }
}
