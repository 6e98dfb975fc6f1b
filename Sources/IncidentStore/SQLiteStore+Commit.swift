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

    /// The commit binds the events' columns the pipeline wrote (`EventColumns`).
    public var takesEventColumns: Bool { true }

    public func commitReporting(_ batch: StoreBatch) async throws -> CommitReport {
        try await write(Self.committing(batch)) { db in try self.commitWriting(batch, in: db) }
    }

    /// Queued on the writer's own queue: `commitReporting` would first start a task that only waits for it.
    public func startCommit(
        _ batch: StoreBatch, completion: @escaping @Sendable (Result<CommitReport, any Error>) -> Void
    ) {
        pool.asyncWrite { db in
            try self.commitWriting(batch, in: db)
        } completion: { _, result in
            completion(result.mapError { self.storeError($0, doing: Self.committing(batch)) as any Error })
        }
    }

    /// The transaction of `commitReporting` and `startCommit`.
    private func commitWriting(_ batch: StoreBatch, in db: Database) throws -> CommitReport {
        let report = try Self.write(batch, in: db)
        eventsChanged(by: batch.events.count, in: db)
        return report
    }

    /// What a failed commit of `batch` failed to do, for its error.
    private static func committing(_ batch: StoreBatch) -> String {
        "commit a batch of \(batch.events.count) events to"
    }

    /// Events one `INSERT` writes while a batch has that many left; the rest go one a statement.
    static let eventRowsPerStatement = 16

    /// `INSERT INTO events` of `rows` rows.
    static func insertEvents(rows: Int) -> String {
        "INSERT INTO events (received_at, event_time, source, status, fingerprint, labels, annotations, "
            + "starts_at, ends_at, generator_url, acknowledges) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    static func write(_ batch: StoreBatch, in db: Database) throws -> CommitReport {
        var ids: [Int64] = []
        ids.reserveCapacity(batch.events.count)
        let rows = Self.eventRowsPerStatement
        var insertEvent = try DirectStatement(db, sql: Self.insertEvents(rows: 1))
        var insertEvents =
            batch.events.count >= rows ? try DirectStatement(db, sql: Self.insertEvents(rows: rows)) : nil
        // The text columns written ahead by the pipeline when it sent them for every event, bound where they are
        // (no copy: the buffers outlive each run); else written here. The events are read in place: copying each
        // out of the array retained all its labels.
        func bind(
            _ events: UnsafeBufferPointer<Event>, _ i: Int, columns: EventColumns.Buffers?,
            to statement: inout DirectStatement
        ) {
            statement.bind(events[i].receivedAt.microseconds)
            statement.bind(events[i].eventTime().microseconds)
            statement.bind(events[i].source.rawValue)
            statement.bind(events[i].status.rawValue)
            if let columns {
                let (fingerprint, labels, annotations) = columns[i]
                statement.bind(unsafeText: fingerprint)
                statement.bind(unsafeText: labels)
                statement.bind(unsafeText: annotations)
            } else {
                statement.bind(events[i].fingerprint)
                statement.bind(json: events[i].labels)
                statement.bind(json: events[i].annotations)
            }
            statement.bind(events[i].startsAt?.microseconds)
            statement.bind(events[i].endsAt?.microseconds)
            statement.bind(events[i].generatorURL)
            statement.bind(events[i].acknowledges)
        }
        // `rows` events a statement while that many are left: SQLite's work around each statement (its halt,
        // reset and the new rowid's search) is then paid once for them. The table's key is its rowid without
        // AUTOINCREMENT, so each row gets the largest id + 1 (https://www.sqlite.org/autoinc.html): one
        // statement's rows have consecutive ids ending at the last inserted.
        // That holds until the largest id reaches 2^63 - 1, after which SQLite picks ids at random: checked against
        // the largest id before the batch, so that such a store refuses the batch rather than mislabel its events.
        func insert(_ events: UnsafeBufferPointer<Event>, columns: EventColumns.Buffers?) throws {
            var i = 0
            if var statement = insertEvents {
                var previous = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM events")) ?? 0
                while events.count - i >= rows {
                    for k in i..<(i + rows) { bind(events, k, columns: columns, to: &statement) }
                    try statement.run()
                    let last = db.lastInsertedRowID
                    guard previous <= Int64.max - Int64(rows), last == previous + Int64(rows) else {
                        throw DatabaseError(
                            resultCode: .SQLITE_ERROR,
                            message: "the events table's ids are used up (its largest id is near 2^63 - 1), so new "
                                + "events cannot be numbered in order; move the store away to start an empty one")
                    }
                    for k in 0..<Int64(rows) { ids.append(last - Int64(rows) + 1 + k) }
                    previous = last
                    i += rows
                }
                insertEvents = statement
            }
            while i < events.count {
                bind(events, i, columns: columns, to: &insertEvent)
                try insertEvent.run()
                ids.append(db.lastInsertedRowID)
                i += 1
            }
        }
        try batch.events.withUnsafeBufferPointer { events in
            if let columns = batch.eventColumns, columns.count == events.count {
                try columns.withBuffers { try insert(events, columns: $0) }
            } else {
                try insert(events, columns: nil)
            }
        }

        var upsertIncident = try DirectStatement(db, sql: Self.upsertIncident)
        for i in batch.incidents {
            try Self.bind(i, to: &upsertIncident)
            try upsertIncident.run()
        }
        // An incident whose alert was seen again: only its event count changed, and only that is written (no JSON,
        // and its indexes are left alone). A row the store lacks gets the whole snapshot.
        if !batch.incidentActivity.isEmpty {
            var countEvents = try DirectStatement(db, sql: "UPDATE incidents SET events = ? WHERE number = ?")
            for i in batch.incidentActivity {
                countEvents.bind(i.events)
                countEvents.bind(i.number)
                try countEvents.run()
                if db.changesCount == 0 {
                    try Self.bind(i, to: &upsertIncident)
                    try upsertIncident.run()
                }
            }
        }

        // An alert without an incident binds NULL to a NOT NULL column: SQLite refuses it and the whole batch
        // rolls back, rather than the store keeping an alert no incident can reach.
        var upsertAlert = try DirectStatement(db, sql: Self.upsertAlert)
        for a in batch.alerts {
            try Self.bind(a, to: &upsertAlert)
            try upsertAlert.run()
        }
        // The common case of Prometheus' path, an alert sent again (maybe with new annotations): its last-seen time,
        // event count and annotations.
        if !batch.alertActivity.isEmpty {
            var seen = try DirectStatement(
                db,
                sql: "UPDATE alerts SET last_seen = ?, events = ?, annotations = ? "
                    + "WHERE incident = ? AND fingerprint = ?")
            for a in batch.alertActivity {
                seen.bind(a.lastSeen.microseconds)
                seen.bind(a.events)
                seen.bind(json: a.annotations)
                seen.bind(a.incident)
                seen.bind(a.fingerprint)
                try seen.run()
                if db.changesCount == 0 {
                    try Self.bind(a, to: &upsertAlert)
                    try upsertAlert.run()
                }
            }
        }

        if !batch.leftAlerts.isEmpty {
            let deleteAlert = try db.cachedStatement(sql: "DELETE FROM alerts WHERE incident = ? AND fingerprint = ?")
            for (incident, fingerprint) in batch.leftAlerts {
                try deleteAlert.execute(arguments: [incident, fingerprint.description])
            }
        }

        var insertTimeline = try DirectStatement(
            db, sql: "INSERT OR IGNORE INTO timeline (incident, at, type, detail) VALUES (?, ?, ?, ?)")
        for (incident, entry) in batch.timeline {
            insertTimeline.bind(incident)
            insertTimeline.bind(entry.at.microseconds)
            insertTimeline.bind(entry.type)
            insertTimeline.bind(entry.detail)
            try insertTimeline.run()
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
                        saved_at = excluded.saved_at, through_event = excluded.through_event,
                        generation = generation + 1, parts = 0
                    """,
                arguments: [state, batch.at.microseconds, batch.engineStateThroughEvent])
            try db.execute(sql: "DELETE FROM engine_state_parts")
        } else if let part = batch.engineStatePart {
            try Self.write(part, at: batch.at, in: db)
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

    /// Writes one part of a checkpoint written across several commits (`EngineStatePart`). Each checkpoint saved
    /// takes the next generation, whole or in parts, and the parts of the one being written are the saved
    /// generation + 1; a saved checkpoint in parts keeps its own beside them. Part 0 drops the parts of any other
    /// checkpoint begun and never finished; a part out of order (a caller's bug) is refused, and the batch with it.
    static func write(_ part: EngineStatePart, at time: Timestamp, in db: Database) throws {
        let saved = try Int64.fetchOne(db, sql: "SELECT generation FROM engine_state WHERE id = 1") ?? 0
        let generation = saved + 1
        if part.index == 0 {
            try db.execute(sql: "DELETE FROM engine_state_parts WHERE generation <> ?", arguments: [saved])
        }
        let written =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM engine_state_parts WHERE generation = ?", arguments: [generation]) ?? 0
        guard part.count > 1, part.index < part.count, written == part.index else {
            throw DatabaseError(
                resultCode: .SQLITE_CONSTRAINT,
                message:
                    "checkpoint part \(part.index) of \(part.count) after \(written) parts of generation \(generation)")
        }
        // Not a cached statement, as for a whole checkpoint: a cached one would hold the last part's bytes.
        try db.execute(
            sql: "INSERT INTO engine_state_parts (generation, seq, data) VALUES (?, ?, ?)",
            arguments: [generation, part.index, part.data])
        guard part.isLast else { return }
        try db.execute(
            sql: """
                INSERT INTO engine_state (id, version, data, saved_at, through_event, generation, parts)
                VALUES (1, 1, X'', ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET version = version + 1, data = excluded.data,
                    saved_at = excluded.saved_at, through_event = excluded.through_event,
                    generation = excluded.generation, parts = excluded.parts
                """,
            arguments: [time.microseconds, part.throughEvent, generation, part.count])
        try db.execute(sql: "DELETE FROM engine_state_parts WHERE generation <> ?", arguments: [generation])
    }

    /// Binds an incident snapshot's values in `incidentColumns`' order.
    static func bind(_ i: Incident, to statement: inout DirectStatement) throws {
        statement.bind(i.number)
        statement.bind(i.title)
        statement.bind(i.kind.rawValue)
        statement.bind(i.state.rawValue)
        statement.bind(i.impact.rawValue)
        statement.bind(i.urgency.rawValue)
        statement.bind(i.priority.rawValue)
        statement.bind(i.rule)
        statement.bind(i.groupKey)
        statement.bind(json: i.labels)
        statement.bind(i.alerts)
        statement.bind(i.events)
        statement.bind(i.flapping)
        statement.bind(try json(i.escalation))
        statement.bind(i.openedAt.microseconds)
        statement.bind(i.acknowledgedAt?.microseconds)
        statement.bind(i.acknowledgedBy)
        statement.bind(i.resolvedAt?.microseconds)
        statement.bind(i.closedAt?.microseconds)
        statement.bind(i.silenced)
    }

    /// Binds an alert snapshot's values in `alertColumns`' order.
    static func bind(_ a: AlertSnapshot, to statement: inout DirectStatement) throws {
        statement.bind(a.incident)
        statement.bind(a.fingerprint)
        statement.bind(json: a.labels)
        statement.bind(json: a.annotations)
        statement.bind(a.status.rawValue)
        statement.bind(a.firstSeen.microseconds)
        statement.bind(a.lastSeen.microseconds)
        statement.bind(a.events)
        statement.bind(a.suppressed)
    }

    /// Moves the pending escalation pages the cancellation names to `cancelled`, each with a timeline line. Rows
    /// already delivered, failed or cancelled are left as they are, so a cancellation replayed after a restart
    /// changes nothing and repeats no line.
    static func cancel(_ cancellation: NotificationCancellation, in db: Database) throws {
        let steps = Set(cancellation.steps)
        // Cached statements, as for the rest of the commit: a burst of resolutions cancels in most batches, and
        // preparing these anew each time was about 1% of the daemon's samples (BENCHMARKS.md, issue 16).
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: OutboxSQL.cancellable),
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
