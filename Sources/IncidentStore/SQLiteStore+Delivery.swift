import GRDB
import IncidentCore

// The delivery service writes its outcomes here rather than through the ingest pipeline: outbox rows and
// timeline lines are append-or-update rows the engine never reads back, the timeline is ordered by (at, id),
// and SQLite serialises this transaction with the pipeline's commits, so no snapshot can be lost or reordered.
extension SQLiteStore: OutboxStore {
    public func settle(_ entry: OutboxEntry, _ settlement: OutboxSettlement, line: TimelineEntry) async throws {
        let path = path
        let id = entry.id
        try await write("record the delivery of outbox row \(id) in") { db in
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
            try db.execute(
                sql: "UPDATE outbox SET \(set) WHERE id = ? AND state = 'pending'", arguments: arguments + [id])
            guard db.changesCount == 1 else {
                throw StoreError(
                    .notPending, store: path,
                    message: "outbox row \(id) in \(path) is no longer pending; its delivery outcome cannot be "
                        + "recorded again. This is a bug in incidentd: please report it with this message.")
            }
            if case .failed(_, let fallback?) = settlement {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO outbox (incident, notifier, policy, step, round, idempotency_key, due,
                            next_attempt, moment)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        fallback.incident, fallback.notifier, fallback.policy, fallback.step, fallback.round,
                        fallback.idempotencyKey, fallback.due.microseconds, fallback.due.microseconds,
                        fallback.moment,
                    ])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)",
                arguments: [entry.notification.incident, line.at.microseconds, line.type, line.detail])
        }
    }

    public func nextOutboxAttempt() async throws -> Timestamp? {
        try await read("read the outbox of") { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending'")
                .map(Timestamp.init(microseconds:))
        }
    }
}
