import GRDB
import IncidentCore

// The delivery service writes its outcomes here rather than through the ingest pipeline: outbox rows and
// timeline lines are append-or-update rows the engine never reads back, the timeline is ordered by (at, id),
// and SQLite serialises this transaction with the pipeline's commits, so no snapshot can be lost or reordered.
extension SQLiteStore: OutboxStore {
    /// The delivery service's group commit: every outcome reported while the previous settlement transaction
    /// ran is recorded in one transaction (one fsync), instead of one each. A burst of new incidents queues a
    /// page per incident; settled one by one, their transactions took turns with the pipeline's commits and
    /// made every acknowledgement wait.
    public func settle(_ items: [OutboxSettlementItem]) async throws -> [(any Error)?] {
        let path = path
        return try await write("record \(items.count) delivery outcomes in") { db in
            // Any other failure throws out of the transaction, which rolls back: none is recorded.
            try items.map { item -> (any Error)? in
                do {
                    try Self.settle(item, in: db, path: path)
                    return nil
                } catch let error as StoreError where error.code == .notPending {
                    // Nothing of this row was written (the update matched no row): the others go ahead.
                    return error
                }
            }
        }
    }

    static func settle(_ item: OutboxSettlementItem, in db: Database, path: String) throws {
        let (entry, settlement, line) = (item.entry, item.settlement, item.line)
        let id = entry.id
        let set: String
        let arguments: StatementArguments
        switch settlement {
        case .delivered(let at, _):
            set = "state = 'delivered', attempts = attempts + 1, delivered_at = ?"
            arguments = [at.microseconds]
        case .retry(let error, let next):
            set = "attempts = attempts + 1, last_error = ?, next_attempt = ?"
            arguments = [error, next.microseconds]
        case .failed(let error, _):
            set = "state = 'failed', attempts = attempts + 1, last_error = ?"
            arguments = [error]
        }
        // Cached statements: a burst of pages settles hundreds of rows a second, and preparing each statement
        // anew (SQLite's parser and GRDB's authorizer) was a visible share of the delivery path.
        try db.cachedStatement(sql: "UPDATE outbox SET \(set) WHERE id = ? AND state = 'pending'")
            .execute(arguments: arguments + [id])
        guard db.changesCount == 1 else {
            let state = try String.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM outbox WHERE id = ?"), arguments: [id])
            if state == "cancelled" {
                try settleCancelled(item, in: db)
                return
            }
            throw StoreError(
                .notPending, store: path,
                message: "outbox row \(id) in \(path) is no longer pending; its delivery outcome cannot be "
                    + "recorded again. This is a bug in incidentd: please report it with this message.")
        }
        if case .failed(_, let fallback?) = settlement {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO outbox (incident, notifier, policy, step, round, idempotency_key, due,
                        next_attempt, moment, recipient)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fallback.incident, fallback.notifier, fallback.policy, fallback.step, fallback.round,
                    fallback.idempotencyKey, fallback.due.microseconds, fallback.due.microseconds,
                    fallback.moment, fallback.user,
                ])
        }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)")
            .execute(arguments: [entry.notification.incident, line.at.microseconds, line.type, line.detail])
    }

    /// An attempt that was under way when an acknowledgement cancelled its row (the race is unavoidable: the
    /// request may be on the wire). Its outcome is recorded, not refused: the attempt is counted and goes into
    /// the timeline, and a delivery marks the row delivered, since the page did go out. A failure leaves the row
    /// cancelled: no retry, and no fallback.
    static func settleCancelled(_ item: OutboxSettlementItem, in db: Database) throws {
        switch item.settlement {
        case .delivered(let at, _):
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?
                    WHERE id = ? AND state = 'cancelled'
                    """,
                arguments: [at.microseconds, item.entry.id])
        case .retry(let error, _), .failed(let error, _):
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'cancelled'",
                arguments: [error, item.entry.id])
        }
        try db.execute(
            sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)",
            arguments: [item.entry.notification.incident, item.line.at.microseconds, item.line.type, item.line.detail])
    }

    public func isPending(outbox id: Int64) async throws -> Bool {
        try await read("read the outbox of") { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM outbox WHERE id = ?"), arguments: [id])
                == "pending"
        }
    }

    /// One read for the three a page needed (each a hop to the reader pool): the row's state, the incident, its
    /// latest alert, in one snapshot.
    public func attemptContext(outbox id: Int64, attempts: Int, incident number: Int) async throws
        -> OutboxAttemptContext?
    {
        try await read("read the outbox of") { db in
            guard
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM outbox WHERE id = ? AND state = 'pending' AND attempts = ?"),
                    arguments: [id, attempts]) != nil
            else { return nil }
            return OutboxAttemptContext(
                incident: try self.fetchIncident(number, in: db),
                latestAlert: try self.fetchLatestAlert(of: number, in: db))
        }
    }

    public func nextOutboxAttempt() async throws -> Timestamp? {
        try await read("read the outbox of") { db in
            try Int64.fetchOne(db.cachedStatement(sql: OutboxSQL.nextAttempt))
                .map(Timestamp.init(microseconds:))
        }
    }
}
