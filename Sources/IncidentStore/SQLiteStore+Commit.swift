import GRDB
import IncidentCore

extension SQLiteStore {
    static let incidentColumns = [
        "number", "title", "kind", "state", "impact", "urgency", "priority", "rule", "group_key", "labels", "alerts",
        "events", "flapping", "escalation", "opened_at", "acknowledged_at", "acknowledged_by", "resolved_at",
        "closed_at", "silenced",
    ]
    static let alertColumns = [
        "incident", "fingerprint", "labels", "annotations", "status", "first_seen", "last_seen", "events", "suppressed",
    ]

    /// `INSERT ... ON CONFLICT (key) DO UPDATE` every other column: an upsert that keeps the row's identity,
    /// unlike `INSERT OR REPLACE`, which deletes and reinserts.
    static func upsert(_ table: String, _ columns: [String], key: [String]) -> String {
        let updates = columns.filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) "
            + "VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", "))) "
            + "ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
    }

    static let upsertIncident = upsert("incidents", incidentColumns, key: ["number"])
    static let upsertAlert = upsert("alerts", alertColumns, key: ["incident", "fingerprint"])

    /// Writes the batch in one transaction (SPEC §9): the caller acknowledges its sources only after this
    /// returns, and a failure leaves the store as it was.
    public func commit(_ batch: StoreBatch) async throws -> [Int64] {
        try await commitReporting(batch).eventIDs
    }

    public func commitReporting(_ batch: StoreBatch) async throws -> CommitReport {
        try await write("commit a batch of \(batch.events.count) events to") { db in
            try Self.write(batch, in: db)
        }
    }

    static func write(_ batch: StoreBatch, in db: Database) throws -> CommitReport {
        var ids: [Int64] = []
        ids.reserveCapacity(batch.events.count)
        let insertEvent = try db.cachedStatement(
            sql: """
                INSERT INTO events (received_at, event_time, source, status, fingerprint, labels, annotations,
                    starts_at, ends_at, generator_url, acknowledges)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for event in batch.events {
            try insertEvent.execute(arguments: [
                event.receivedAt.microseconds, event.eventTime().microseconds, event.source.rawValue,
                event.status.rawValue, event.fingerprint.description, try json(event.labels),
                try json(event.annotations), event.startsAt?.microseconds, event.endsAt?.microseconds,
                event.generatorURL, event.acknowledges,
            ])
            ids.append(db.lastInsertedRowID)
        }

        let upsertIncident = try db.cachedStatement(sql: Self.upsertIncident)
        for i in batch.incidents {
            try upsertIncident.execute(arguments: Self.arguments(i))
        }
        // An incident whose alert was seen again: only its event count changed, and only that is written (no JSON,
        // and its indexes are left alone). A row the store lacks gets the whole snapshot.
        if !batch.incidentActivity.isEmpty {
            let countEvents = try db.cachedStatement(sql: "UPDATE incidents SET events = ? WHERE number = ?")
            for i in batch.incidentActivity {
                try countEvents.execute(arguments: [i.events, i.number])
                if db.changesCount == 0 { try upsertIncident.execute(arguments: Self.arguments(i)) }
            }
        }

        // An alert without an incident binds NULL to a NOT NULL column: SQLite refuses it and the whole batch
        // rolls back, rather than the store keeping an alert no incident can reach.
        let upsertAlert = try db.cachedStatement(sql: Self.upsertAlert)
        for a in batch.alerts {
            try upsertAlert.execute(arguments: Self.arguments(a))
        }
        // The common case of Prometheus' path, an alert sent again unchanged: its last-seen time and event count.
        if !batch.alertActivity.isEmpty {
            let seen = try db.cachedStatement(
                sql: "UPDATE alerts SET last_seen = ?, events = ? WHERE incident = ? AND fingerprint = ?")
            for a in batch.alertActivity {
                try seen.execute(arguments: [a.lastSeen.microseconds, a.events, a.incident, a.fingerprint.description])
                if db.changesCount == 0 { try upsertAlert.execute(arguments: Self.arguments(a)) }
            }
        }

        if !batch.leftAlerts.isEmpty {
            let deleteAlert = try db.cachedStatement(sql: "DELETE FROM alerts WHERE incident = ? AND fingerprint = ?")
            for (incident, fingerprint) in batch.leftAlerts {
                try deleteAlert.execute(arguments: [incident, fingerprint.description])
            }
        }

        let insertTimeline = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)")
        for (incident, entry) in batch.timeline {
            try insertTimeline.execute(arguments: [incident, entry.at.microseconds, entry.type, entry.detail])
        }

        // OR IGNORE on UNIQUE (notifier, idempotency_key): a step the engine emits again after a restart from an
        // older state must not page twice (SPEC §7).
        let insertOutbox = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (incident, notifier, policy, step, round, idempotency_key, due,
                    next_attempt, moment, recipient)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var queued: [OutboxEntry] = []
        for n in batch.notifications {
            try insertOutbox.execute(arguments: [
                n.incident, n.notifier, n.policy, n.step, n.round, n.idempotencyKey, n.due.microseconds,
                n.due.microseconds, n.moment, n.user,
            ])
            // Ignored (already queued): no row of this batch's, nothing to report.
            guard db.changesCount > 0 else { continue }
            queued.append(
                OutboxEntry(
                    id: db.lastInsertedRowID, notification: n, state: .pending, attempts: 0, nextAttempt: n.due,
                    lastError: nil, deliveredAt: nil))
        }

        // After the inserts: a page queued earlier in the same batch than the acknowledgement is cancelled too.
        for cancellation in batch.cancellations {
            try cancel(cancellation, in: db)
        }

        // The checkpoint covers every event committed so far, this batch's included, unless the batch says it was
        // taken earlier: a restart restores it and replays only the events after `through_event`.
        // Not a cached statement: GRDB keeps a statement's last arguments, and a cached one would hold the last
        // checkpoint (tens of MB at 100,000 alerts) in memory until the next. It runs once per checkpoint.
        if let state = batch.engineState {
            try db.execute(
                sql: """
                    INSERT INTO engine_state (id, version, data, saved_at, through_event)
                    VALUES (1, 1, ?, ?, COALESCE(?, (SELECT COALESCE(MAX(id), 0) FROM events)))
                    ON CONFLICT (id) DO UPDATE SET version = version + 1, data = excluded.data,
                        saved_at = excluded.saved_at, through_event = excluded.through_event
                    """,
                arguments: [state, batch.at.microseconds, batch.engineStateThroughEvent])
        }

        if !batch.sourcePositions.isEmpty {
            let savePosition = try db.cachedStatement(
                sql: """
                    INSERT INTO source_positions (source, position) VALUES (?, ?)
                    ON CONFLICT (source) DO UPDATE SET position = excluded.position
                    """)
            for (source, position) in batch.sourcePositions {
                try savePosition.execute(arguments: [source, position])
            }
        }
        // A cancellation in the same batch may have cancelled a row just queued: rather than work out which, the
        // report leaves the rows to the delivery's read of the outbox.
        let cancelled = Set(batch.cancellations.map(\.incident))
        let reported = queued.contains { cancelled.contains($0.notification.incident) } ? nil : queued
        return CommitReport(eventIDs: ids, queued: reported)
    }

    /// An incident snapshot's values in `incidentColumns`' order.
    static func arguments(_ i: Incident) throws -> StatementArguments {
        [
            i.number, i.title, i.kind.rawValue, i.state.rawValue, i.impact.rawValue, i.urgency.rawValue,
            i.priority.rawValue, i.rule, i.groupKey, try json(i.labels), i.alerts, i.events, i.flapping,
            try json(i.escalation), i.openedAt.microseconds, i.acknowledgedAt?.microseconds, i.acknowledgedBy,
            i.resolvedAt?.microseconds, i.closedAt?.microseconds, i.silenced,
        ]
    }

    /// An alert snapshot's values in `alertColumns`' order.
    static func arguments(_ a: AlertSnapshot) throws -> StatementArguments {
        [
            a.incident, a.fingerprint.description, try json(a.labels), try json(a.annotations), a.status.rawValue,
            a.firstSeen.microseconds, a.lastSeen.microseconds, a.events, a.suppressed,
        ]
    }

    /// Moves the pending escalation pages the cancellation names to `cancelled`, each with a timeline line. Rows
    /// already delivered, failed or cancelled are left as they are, so a cancellation replayed after a restart
    /// changes nothing and repeats no line.
    static func cancel(_ cancellation: NotificationCancellation, in db: Database) throws {
        let steps = Set(cancellation.steps)
        // Cached statements, as for the rest of the commit: a burst of resolutions cancels in most batches, and
        // preparing these anew each time was about 1% of the daemon's samples (BENCHMARKS.md, issue 16).
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, notifier, policy, step, round, idempotency_key, attempts, last_error FROM outbox
                    WHERE incident = ? AND state = 'pending' AND moment IS NULL AND due <= ?
                    ORDER BY id
                    """),
            arguments: [cancellation.incident, cancellation.at.microseconds])
        for row in rows {
            let policy: String = row["policy"]
            let step: Int = row["step"]
            guard steps.contains(.init(policy: policy, step: step)) else { continue }
            let id: Int64 = row["id"]
            try db.cachedStatement(sql: "UPDATE outbox SET state = 'cancelled' WHERE id = ? AND state = 'pending'")
                .execute(arguments: [id])
            let attempts: Int = row["attempts"]
            let lastError: String? = row["last_error"]
            let tried =
                attempts == 0
                ? "not sent"
                : "\(attempts) failed attempt\(attempts == 1 ? "" : "s") (last: \(String((lastError ?? "").prefix(200))))"
            let round: Int = row["round"]
            let notifier: String = row["notifier"]
            let key: String = row["idempotency_key"]
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)"
            )
            .execute(arguments: [
                cancellation.incident, cancellation.at.microseconds, "notification_cancelled",
                "\(notifier) \(key) (policy '\(policy)' step \(step) round \(round)): \(cancellation.reason); "
                    + "\(tried), no further attempts",
            ])
        }
    }
}
