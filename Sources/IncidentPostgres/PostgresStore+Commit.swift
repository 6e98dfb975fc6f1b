import Foundation
import IncidentCore
import PostgresNIO

extension PostgresStore {
    /// Writes the batch in one transaction (SPEC §9), in as few statements as its size allows: multi-row
    /// inserts and upserts, each a round trip, instead of one per row.
    ///
    /// Reports no queued rows (`commitReporting`'s default): the delivery reads them. Returning them from the insert
    /// (`RETURNING`) would add row streams to every commit, and postgres-nio 1.x traps when the server closes a
    /// connection while streamed rows wait for demand (`RowStreamStateMachine`). That trap was seen, on a relay
    /// read, in a PostgreSQL restart under load while this returned them; the commit stays as it was.
    public func commit(_ batch: StoreBatch) async throws -> [Int64] {
        try await write("commit a batch of \(batch.events.count) events to") { connection in
            try await self.write(batch, on: connection)
        }
    }

    func write(_ batch: StoreBatch, on connection: PostgresConnection) async throws -> [Int64] {
        // Commit order: the lock is held until this transaction ends, so the ids drawn below (from a counter row,
        // whose rollback leaves no gap) are larger than those of every transaction that committed before, and
        // smaller than those of every later one. The checkpoint's `through_event` relies on it too.
        if !batch.events.isEmpty || batch.engineState != nil {
            try await lock(Self.commitOrderLock, on: connection)
        }
        var ids: [Int64] = []
        if !batch.events.isEmpty {
            ids = try await drawIDs(batch.events.count, from: "events", on: connection)
            try await insertEvents(Array(zip(ids, batch.events)), into: "events", on: connection)
        }

        // One upsert per key and statement: PostgreSQL refuses to update one row twice in a statement, and the
        // last snapshot of a key is what sequential upserts would have left. Activity (an alert seen again) is a
        // row inserted whole when missing but of which only the counts are updated: a replay's activity after a
        // restart must not undo what a later commit wrote (a timer's resolve).
        try await upsertIncidents(
            lastPerKey(batch.incidents) { $0.number }, updating: Self.incidentUpdate, on: connection)
        try await upsertIncidents(
            lastPerKey(batch.incidentActivity) { $0.number }, updating: "events = excluded.events", on: connection)
        // An alert without an incident binds NULL to a NOT NULL column: PostgreSQL refuses it and the whole batch
        // rolls back, as with SQLite.
        try await upsertAlerts(
            lastPerKey(batch.alerts) { AlertKey(incident: $0.incident, fingerprint: $0.fingerprint) },
            updating: Self.alertUpdate, on: connection)
        try await upsertAlerts(
            lastPerKey(batch.alertActivity) { AlertKey(incident: $0.incident, fingerprint: $0.fingerprint) },
            updating: "last_seen = excluded.last_seen, events = excluded.events, annotations = excluded.annotations",
            on: connection)

        for (incident, fingerprint) in batch.leftAlerts {
            var sql = SQL("DELETE FROM alerts WHERE incident = ")
            sql.text += sql.bind(Int64(incident)) + " AND fingerprint = " + sql.bind(fingerprint.description)
            try await connection.run(sql, logger: logger)
        }

        for chunk in chunks(batch.timeline, columns: 4, maxBytes: statementBytes, bytes: Self.boundBytes) {
            var sql = SQL("INSERT INTO timeline (incident, at, type, detail) VALUES ")
            let rows = chunk.map { incident, entry in
                "(\(sql.bind(Int64(incident))), \(sql.bind(entry.at.microseconds)), \(sql.bind(entry.type)), "
                    + "\(sql.bind(entry.detail)))"
            }
            sql.text += rows.joined(separator: ", ") + " ON CONFLICT DO NOTHING"
            try await connection.run(sql, logger: logger)
        }

        // DO NOTHING on UNIQUE (notifier, idempotency_key): a step the engine emits again after a restart from an
        // older state must not page twice (SPEC §7).
        for chunk in chunks(batch.notifications, columns: 10, maxBytes: statementBytes, bytes: Self.boundBytes) {
            try await insertOutbox(Array(chunk), on: connection)
        }

        // After the inserts: a page queued earlier in the same batch than the acknowledgement is cancelled too.
        for cancellation in batch.cancellations {
            try await cancel(cancellation, on: connection)
        }

        if let state = batch.engineState {
            var sql = SQL("INSERT INTO engine_state (id, version, data, saved_at, through_event) VALUES (1, 1, ")
            let data = sql.bind(state)
            let at = sql.bind(batch.at.microseconds)
            let through = sql.bind(batch.engineStateThroughEvent)
            sql.text +=
                "\(data), \(at), COALESCE(\(through)::BIGINT, (SELECT COALESCE(MAX(id), 0) FROM events))) "
                + "ON CONFLICT (id) DO UPDATE SET version = engine_state.version + 1, data = excluded.data, "
                + "saved_at = excluded.saved_at, through_event = excluded.through_event, "
                + "generation = engine_state.generation + 1, parts = 0"
            try await connection.run(sql, logger: logger)
            try await connection.run("DELETE FROM engine_state_parts", logger: logger)
        } else if let part = batch.engineStatePart {
            try await write(part, at: batch.at, on: connection)
        }

        try await upsertPositions(batch.sourcePositions, on: connection)
        return ids
    }

    /// Writes one part of a checkpoint written across several commits, as the SQLite store does: each checkpoint
    /// saved takes the next generation, and the parts of the one being written are the saved generation + 1;
    /// part 0 drops those of any other begun and never finished; a part out of order (a caller's bug) is refused,
    /// and the batch with it.
    func write(_ part: EngineStatePart, at time: Timestamp, on connection: PostgresConnection) async throws {
        let saved =
            try await connection.rows(
                SQL("SELECT generation FROM engine_state WHERE id = 1"), logger: logger
            ).first.map { try RowReader($0, "engine_state", self).get("generation", Int64.self) } ?? 0
        let generation = saved + 1
        if part.index == 0 {
            var sql = SQL("DELETE FROM engine_state_parts WHERE generation <> ")
            sql.text += sql.bind(saved)
            try await connection.run(sql, logger: logger)
        }
        var count = SQL("SELECT COUNT(*) AS n FROM engine_state_parts WHERE generation = ")
        count.text += count.bind(generation)
        let written =
            try await connection.rows(count, logger: logger).first
            .map { try RowReader($0, "engine_state_parts", self).int("n") } ?? 0
        guard part.count > 1, part.index < part.count, written == part.index else {
            throw StoreError(
                .constraint, store: address,
                message: "checkpoint part \(part.index) of \(part.count) written after \(written) parts of "
                    + "generation \(generation) in \(address); nothing of the batch was written.")
        }
        var insert = SQL("INSERT INTO engine_state_parts (generation, seq, data) VALUES (")
        insert.text +=
            "\(insert.bind(generation)), \(insert.bind(Int64(part.index))), \(insert.bind(part.data)))"
        try await connection.run(insert, logger: logger)
        guard part.isLast else { return }
        var sql = SQL(
            "INSERT INTO engine_state (id, version, data, saved_at, through_event, generation, parts) VALUES (1, 1, ")
        sql.text +=
            "''::BYTEA, \(sql.bind(time.microseconds)), \(sql.bind(part.throughEvent)), \(sql.bind(generation)), "
            + "\(sql.bind(Int64(part.count)))) "
            + "ON CONFLICT (id) DO UPDATE SET version = engine_state.version + 1, data = excluded.data, "
            + "saved_at = excluded.saved_at, through_event = excluded.through_event, "
            + "generation = excluded.generation, parts = excluded.parts"
        try await connection.run(sql, logger: logger)
        var drop = SQL("DELETE FROM engine_state_parts WHERE generation <> ")
        drop.text += drop.bind(generation)
        try await connection.run(drop, logger: logger)
    }

    /// Takes a transaction-scoped advisory lock, held until the transaction ends.
    func lock(_ key: Int64, on connection: PostgresConnection) async throws {
        var sql = SQL("SELECT pg_advisory_xact_lock(")
        sql.text += sql.bind(key) + ")"
        try await connection.run(sql, logger: logger)
    }

    /// The next `count` ids of the counter `name`, under the row lock of the update (so in commit order when the
    /// caller holds the counter's advisory lock too); a rollback gives them back.
    func drawIDs(_ count: Int, from name: String, on connection: PostgresConnection) async throws -> [Int64] {
        var draw = SQL("UPDATE incidentd_counters SET value = value + ")
        draw.text += draw.bind(Int64(count)) + " WHERE name = " + draw.bind(name) + " RETURNING value"
        guard let row = try await connection.rows(draw, logger: logger).first else {
            throw corrupt("incidentd_counters", name, "(no row)")
        }
        let last: Int64 = try RowReader(row, "incidentd_counters", self).get("value")
        return Array((last - Int64(count) + 1)...last)
    }

    /// Sets source positions (a journal cursor, a spool file's identity, the relay's last row).
    func upsertPositions(_ positions: [String: String], on connection: PostgresConnection) async throws {
        guard !positions.isEmpty else { return }
        var sql = SQL("INSERT INTO source_positions (source, position) VALUES ")
        let rows = positions.sorted { $0.key < $1.key }.map { "(\(sql.bind($0.key)), \(sql.bind($0.value)))" }
        sql.text += rows.joined(separator: ", ") + " ON CONFLICT (source) DO UPDATE SET position = excluded.position"
        try await connection.run(sql, logger: logger)
    }

    /// Inserts events under their ids into `events`, or into `incidentd_relay` with the instance that read them.
    func insertEvents(
        _ rows: [(Int64, Event)], into table: String, instance: String? = nil, on connection: PostgresConnection
    ) async throws {
        let extra = instance == nil ? "" : ", instance"
        for chunk in chunks(rows, columns: 13, maxBytes: statementBytes, bytes: { Self.boundBytes($0.1) }) {
            var sql = SQL(
                "INSERT INTO \(table) (id, received_at, event_time, source, status, fingerprint, labels, "
                    + "annotations, starts_at, ends_at, generator_url, acknowledges\(extra)) VALUES ")
            var values: [String] = []
            for (id, event) in chunk {
                var row = [
                    sql.bind(id), sql.bind(event.receivedAt.microseconds), sql.bind(event.eventTime().microseconds),
                    sql.bind(event.source.rawValue), sql.bind(event.status.rawValue),
                    sql.bind(event.fingerprint.description), sql.bind(event.labels.jsonText),
                    sql.bind(event.annotations.jsonText), sql.bind(event.startsAt?.microseconds),
                    sql.bind(event.endsAt?.microseconds), sql.bind(event.generatorURL), sql.bind(event.acknowledges),
                ]
                if let instance { row.append(sql.bind(instance)) }
                values.append("(" + row.joined(separator: ", ") + ")")
            }
            sql.text += values.joined(separator: ", ")
            try await connection.run(sql, logger: logger)
        }
    }

    /// Inserts outbox rows, ignoring those whose (notifier, idempotency key) is already there.
    func insertOutbox(_ notifications: [IncidentCore.Notification], on connection: PostgresConnection) async throws {
        guard !notifications.isEmpty else { return }
        var sql = SQL(
            "INSERT INTO outbox (incident, notifier, policy, step, round, idempotency_key, due, next_attempt, moment, "
                + "recipient) VALUES ")
        let rows = notifications.map { n in
            let values = [
                sql.bind(Int64(n.incident)), sql.bind(n.notifier), sql.bind(n.policy), sql.bind(Int64(n.step)),
                sql.bind(Int64(n.round)), sql.bind(n.idempotencyKey), sql.bind(n.due.microseconds),
                sql.bind(n.due.microseconds), sql.bind(n.moment), sql.bind(n.user),
            ]
            return "(" + values.joined(separator: ", ") + ")"
        }
        sql.text += rows.joined(separator: ", ") + " ON CONFLICT (notifier, idempotency_key) DO NOTHING"
        try await connection.run(sql, logger: logger)
    }

    /// Moves the pending escalation pages the cancellation names to `cancelled`, each with a timeline line, as
    /// the SQLite store does; a replayed cancellation changes nothing.
    func cancel(_ cancellation: NotificationCancellation, on connection: PostgresConnection) async throws {
        let steps = Set(cancellation.steps)
        for row in try await connection.rows(OutboxSQL.cancellable(cancellation), logger: logger) {
            let r = RowReader(row, "outbox", self)
            let policy: String = try r.get("policy")
            let step = try r.int("step")
            guard steps.contains(.init(policy: policy, step: step)) else { continue }
            let id: Int64 = try r.get("id")
            var update = SQL("UPDATE outbox SET state = 'cancelled' WHERE state = 'pending' AND id = ")
            update.text += update.bind(id)
            try await connection.run(update, logger: logger)
            let attempts = try r.int("attempts")
            let lastError: String? = try r.get("last_error")
            let tried =
                attempts == 0
                ? "not sent"
                : "\(attempts) failed attempt\(attempts == 1 ? "" : "s") (last: \(String((lastError ?? "").prefix(200))))"
            let round = try r.int("round")
            let notifier: String = try r.get("notifier")
            let key: String = try r.get("idempotency_key")
            try await insertTimeline(
                incident: cancellation.incident,
                TimelineEntry(
                    at: cancellation.at, type: "notification_cancelled",
                    detail: "\(notifier) \(key) (policy '\(policy)' step \(step) round \(round)): "
                        + "\(cancellation.reason); \(tried), no further attempts"),
                on: connection)
        }
    }

    /// Appends a timeline line unless the incident already holds it.
    func insertTimeline(incident: Int, _ entry: TimelineEntry, on connection: PostgresConnection) async throws {
        var sql = SQL("INSERT INTO timeline (incident, at, type, detail) VALUES (")
        sql.text +=
            "\(sql.bind(Int64(incident))), \(sql.bind(entry.at.microseconds)), \(sql.bind(entry.type)), "
            + "\(sql.bind(entry.detail))) ON CONFLICT DO NOTHING"
        try await connection.run(sql, logger: logger)
    }
}

struct AlertKey: Hashable {
    var incident: Int?
    var fingerprint: Fingerprint
}

extension PostgresStore {
    static let incidentUpdate =
        "title = excluded.title, kind = excluded.kind, "
        + "state = excluded.state, impact = excluded.impact, urgency = excluded.urgency, "
        + "priority = excluded.priority, rule = excluded.rule, group_key = excluded.group_key, "
        + "labels = excluded.labels, alerts = excluded.alerts, events = excluded.events, "
        + "flapping = excluded.flapping, escalation = excluded.escalation, opened_at = excluded.opened_at, "
        + "acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by, "
        + "resolved_at = excluded.resolved_at, closed_at = excluded.closed_at, silenced = excluded.silenced"
    static let alertUpdate =
        "labels = excluded.labels, "
        + "annotations = excluded.annotations, status = excluded.status, first_seen = excluded.first_seen, "
        + "last_seen = excluded.last_seen, events = excluded.events, suppressed = excluded.suppressed"

    /// Inserts the incidents, and on a number the table has sets `updating` (a `SET` list over `excluded`).
    func upsertIncidents(_ incidents: [Incident], updating: String, on connection: PostgresConnection) async throws {
        for chunk in chunks(incidents, columns: 20, maxBytes: statementBytes, bytes: Self.boundBytes) {
            var sql = SQL(
                "INSERT INTO incidents (number, title, kind, state, impact, urgency, priority, rule, group_key, labels, "
                    + "alerts, events, flapping, escalation, opened_at, acknowledged_at, acknowledged_by, resolved_at, "
                    + "closed_at, silenced) VALUES ")
            var rows: [String] = []
            for i in chunk {
                let values = [
                    sql.bind(Int64(i.number)), sql.bind(i.title), sql.bind(i.kind.rawValue), sql.bind(i.state.rawValue),
                    sql.bind(i.impact.rawValue), sql.bind(i.urgency.rawValue), sql.bind(i.priority.rawValue),
                    sql.bind(i.rule), sql.bind(i.groupKey), sql.bind(i.labels.jsonText), sql.bind(Int64(i.alerts)),
                    sql.bind(Int64(i.events)), sql.bind(i.flapping),
                    sql.bind(i.escalation.map { EscalationColumn($0).jsonText }),
                    sql.bind(i.openedAt.microseconds), sql.bind(i.acknowledgedAt?.microseconds),
                    sql.bind(i.acknowledgedBy), sql.bind(i.resolvedAt?.microseconds),
                    sql.bind(i.closedAt?.microseconds),
                    sql.bind(i.silenced),
                ]
                rows.append("(" + values.joined(separator: ", ") + ")")
            }
            sql.text += rows.joined(separator: ", ") + " ON CONFLICT (number) DO UPDATE SET " + updating
            try await connection.run(sql, logger: logger)
        }
    }

    /// Inserts the alerts, and on an (incident, fingerprint) the table has sets `updating`.
    func upsertAlerts(_ alerts: [AlertSnapshot], updating: String, on connection: PostgresConnection) async throws {
        for chunk in chunks(alerts, columns: 9, maxBytes: statementBytes, bytes: Self.boundBytes) {
            var sql = SQL(
                "INSERT INTO alerts (incident, fingerprint, labels, annotations, status, first_seen, last_seen, events, "
                    + "suppressed) VALUES ")
            var rows: [String] = []
            for a in chunk {
                let values = [
                    sql.bind(a.incident.map(Int64.init)), sql.bind(a.fingerprint.description),
                    sql.bind(a.labels.jsonText), sql.bind(a.annotations.jsonText), sql.bind(a.status.rawValue),
                    sql.bind(a.firstSeen.microseconds), sql.bind(a.lastSeen.microseconds), sql.bind(Int64(a.events)),
                    sql.bind(a.suppressed),
                ]
                rows.append("(" + values.joined(separator: ", ") + ")")
            }
            sql.text +=
                rows.joined(separator: ", ") + " ON CONFLICT (incident, fingerprint) DO UPDATE SET " + updating
            try await connection.run(sql, logger: logger)
        }
    }
}

/// The elements in order, keeping of each key only its last occurrence (at the place of its last occurrence).
func lastPerKey<T, K: Hashable>(_ items: [T], key: (T) -> K) -> [T] {
    var seen = Set<K>()
    var kept: [T] = []
    for item in items.reversed() where seen.insert(key(item)).inserted {
        kept.append(item)
    }
    return kept.reversed()
}

extension PostgresStore {
    static func boundBytes(_ e: Event) -> Int {
        BoundBytes.row + BoundBytes.json(e.labels) + BoundBytes.json(e.annotations) + BoundBytes.text(e.generatorURL)
            + BoundBytes.text(e.fingerprint.description)
    }

    static func boundBytes(_ i: Incident) -> Int {
        BoundBytes.row + BoundBytes.text(i.title) + BoundBytes.text(i.rule) + BoundBytes.text(i.groupKey)
            + BoundBytes.json(i.labels) + BoundBytes.text(i.acknowledgedBy)
            + 2 * BoundBytes.text(i.escalation?.policy)
    }

    static func boundBytes(_ a: AlertSnapshot) -> Int {
        BoundBytes.row + BoundBytes.json(a.labels) + BoundBytes.json(a.annotations)
    }

    static func boundBytes(_ line: (incident: Int, entry: TimelineEntry)) -> Int {
        BoundBytes.row + BoundBytes.text(line.entry.type) + BoundBytes.text(line.entry.detail)
    }

    static func boundBytes(_ n: IncidentCore.Notification) -> Int {
        BoundBytes.row + BoundBytes.text(n.notifier) + BoundBytes.text(n.policy) + BoundBytes.text(n.idempotencyKey)
            + BoundBytes.text(n.moment) + BoundBytes.text(n.user)
    }
}
