import Foundation
import GRDB
import IncidentCore

extension SQLiteStore {
    public func incident(_ number: Int) async throws -> Incident? {
        try await read("read incident \(number) from") { db in try self.fetchIncident(number, in: db) }
    }

    func fetchIncident(_ number: Int, in db: Database) throws -> Incident? {
        try Self.firstRow(db.cachedStatement(sql: "SELECT * FROM incidents WHERE number = ?"), [number]) {
            try self.incident(from: $0)
        }
    }

    /// Incidents in any of `states` (default: the active ones), optionally of one kind and priority, newest
    /// opened first.
    public func incidents(
        states: Set<IncidentState>, kind: IncidentKind?, priority: Priority?, limit: Int
    ) async throws -> [Incident] {
        guard !states.isEmpty, limit > 0 else { return [] }
        var conditions = ["state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))"]
        var arguments = StatementArguments(states.map(\.rawValue).sorted())
        if let kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        if let priority {
            conditions.append("priority = ?")
            arguments += [priority.rawValue]
        }
        arguments += [limit]
        let sql =
            "SELECT * FROM incidents WHERE \(conditions.joined(separator: " AND ")) "
            + "ORDER BY opened_at DESC, number DESC LIMIT ?"
        return try await read("list incidents in") { [arguments] db in
            try Self.rows(db.makeStatement(sql: sql), arguments) { try self.incident(from: $0) }
        }
    }

    public func alerts(of incident: Int) async throws -> [AlertSnapshot] {
        try await read("read the alerts of incident \(incident) from") { db in
            try Self.rows(
                db.cachedStatement(sql: "SELECT * FROM alerts WHERE incident = ? ORDER BY first_seen, fingerprint"),
                [incident]
            ) { try self.alert(from: $0) }
        }
    }

    public func latestAlert(of incident: Int) async throws -> AlertSnapshot? {
        try await read("read the latest alert of incident \(incident) from") { db in
            try self.fetchLatestAlert(of: incident, in: db)
        }
    }

    func fetchLatestAlert(of incident: Int, in db: Database) throws -> AlertSnapshot? {
        try Self.firstRow(
            db.cachedStatement(
                sql: "SELECT * FROM alerts WHERE incident = ? ORDER BY last_seen DESC, first_seen, fingerprint LIMIT 1"),
            [incident]
        ) { try self.alert(from: $0) }
    }

    public func timeline(of incident: Int) async throws -> [TimelineEntry] {
        try await read("read the timeline of incident \(incident) from") { db in
            try Row.fetchAll(
                db, sql: "SELECT at, type, detail FROM timeline WHERE incident = ? ORDER BY at, id",
                arguments: [incident]
            ).map { TimelineEntry(at: self.time($0, "at"), type: $0["type"], detail: $0["detail"]) }
        }
    }

    public func notes(of incident: Int) async throws -> [IncidentNote] {
        try await read("read the notes of incident \(incident) from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notes WHERE incident = ? ORDER BY at, id", arguments: [incident])
                .map {
                    IncidentNote(
                        id: $0["id"], incident: $0["incident"], at: self.time($0, "at"), author: $0["author"],
                        text: $0["text"])
                }
        }
    }

    public func addNote(incident: Int, author: String, text: String, at time: Timestamp) async throws -> IncidentNote {
        let id = try await write("add a note to incident \(incident) in") { db in
            try db.execute(
                sql: "INSERT INTO notes (incident, at, author, text) VALUES (?, ?, ?, ?)",
                arguments: [incident, time.microseconds, author, text])
            return db.lastInsertedRowID
        }
        return IncidentNote(id: id, incident: incident, at: time, author: author, text: text)
    }

    public func engineState() async throws -> Data? {
        try await engineCheckpoint()?.data
    }

    public func engineCheckpoint() async throws -> EngineCheckpoint? {
        try await read("read the engine checkpoint from") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT data, saved_at, through_event, generation, parts FROM engine_state WHERE id = 1")
            else { return nil }
            var data: Data = row["data"]
            let parts: Int = row["parts"]
            if parts > 0 {
                let generation: Int64 = row["generation"]
                let stored = try Row.fetchAll(
                    db, sql: "SELECT seq, data FROM engine_state_parts WHERE generation = ? ORDER BY seq",
                    arguments: [generation]
                ).map { (seq: $0["seq"] as Int64, data: $0["data"] as Data) }
                guard let whole = EngineStatePart.assemble(stored, count: parts) else {
                    throw self.corrupt(
                        "engine_state_parts", "seq",
                        "\(stored.count) parts of generation \(generation) where the checkpoint has \(parts)")
                }
                data = whole
            }
            return EngineCheckpoint(
                data: data, throughEvent: row["through_event"], savedAt: Timestamp(microseconds: row["saved_at"]))
        }
    }

    public func sourcePosition(_ source: String) async throws -> String? {
        try await read("read the position of source \(source) from") { db in
            try String.fetchOne(db, sql: "SELECT position FROM source_positions WHERE source = ?", arguments: [source])
        }
    }

    public func events(after id: Int64, limit: Int) async throws -> [(id: Int64, event: Event)] {
        try await read("read events from") { db in
            try Self.rows(
                db.cachedStatement(sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?"), [id, limit]
            ) {
                (id: $0["id"], event: try self.event(from: $0))
            }
        }
    }

    /// Counted once, on the writer (so no commit lands between the count and the cache), then kept by the writes
    /// that add or delete events (`eventsChanged`). `COUNT(*)` reads every page of the table: at a scrape every 15 s
    /// of a store holding a month of events, that was the daemon's largest read.
    public func eventCount() async throws -> Int {
        if let total = eventTotal.withLock({ $0 }) { return total }
        return try await write("count the events in") { db in
            if let total = self.eventTotal.withLock({ $0 }) { return total }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0
            self.eventTotal.withLock { $0 = total }
            return total
        }
    }

    /// `delta` events added (or removed) by the transaction `db` is in: the count follows once it commits.
    func eventsChanged(by delta: Int, in db: Database) {
        guard delta != 0, eventTotal.withLock({ $0 != nil }) else { return }
        db.afterNextTransaction { _ in
            self.eventTotal.withLock { total in total = total.map { $0 + delta } }
        }
    }

    /// Deletes the events received before `time` (retention); incidents, alerts and timelines stay. Events after
    /// the engine checkpoint stay too: a restart replays them.
    public func purgeEvents(olderThan time: Timestamp) async throws -> Int {
        try await write("purge old events from") { db in
            try db.execute(
                sql: """
                    DELETE FROM events WHERE received_at < ?
                        AND id <= (SELECT COALESCE(MAX(through_event), 0) FROM engine_state)
                    """,
                arguments: [time.microseconds])
            let purged = db.changesCount
            self.eventsChanged(by: -purged, in: db)
            return purged
        }
    }

    /// Counts and mean times per kind and priority over the incidents opened at or after `since`, most urgent
    /// priority first. SQL's AVG skips NULLs, so a mean covers only the incidents that reached that state.
    public func report(since: Timestamp) async throws -> [ReportLine] {
        try await read("compute a report from") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, priority, COUNT(*) AS count,
                        AVG(acknowledged_at - opened_at) / 1000000.0 AS mtta,
                        AVG(resolved_at - opened_at) / 1000000.0 AS mttr
                    FROM incidents WHERE opened_at >= ?
                    GROUP BY kind, priority ORDER BY priority, kind
                    """,
                arguments: [since.microseconds]
            ).map {
                ReportLine(
                    kind: try self.value($0, "incidents", "kind"),
                    priority: try self.value($0, "incidents", "priority"),
                    count: $0["count"], meanTimeToAcknowledge: $0["mtta"], meanTimeToResolve: $0["mttr"])
            }
        }
    }

    /// One pass over the incidents opened since `since` (the `incidents_opened_at` index bounds it), grouped by
    /// rule.
    public func ruleActivity(since: Timestamp) async throws -> [RuleActivity] {
        try await read("count the activity of each rule in") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT rule, COUNT(*) AS incidents, SUM(events) AS events, SUM(alerts) AS alerts,
                        MAX(opened_at) AS last_opened_at
                    FROM incidents WHERE opened_at >= ?
                    GROUP BY rule ORDER BY rule
                    """,
                arguments: [since.microseconds]
            ).map {
                RuleActivity(
                    rule: $0["rule"], incidents: $0["incidents"], events: $0["events"] ?? 0, alerts: $0["alerts"] ?? 0,
                    lastOpenedAt: self.optionalTime($0, "last_opened_at"))
            }
        }
    }

    /// Days are counted in SQL as whole days since 1970 (UTC), floored so that times before 1970 land on the
    /// right day too.
    public func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] {
        let microsecondsPerDay: Int64 = 86_400_000_000
        return try await read("count the incidents of each day in") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT (opened_at - ((opened_at % ?) + ?) % ?) / ? AS day, kind, COUNT(*) AS count
                    FROM incidents WHERE opened_at >= ? AND opened_at < ?
                    GROUP BY day, kind ORDER BY day, kind
                    """,
                arguments: [
                    microsecondsPerDay, microsecondsPerDay, microsecondsPerDay, microsecondsPerDay, since.microseconds,
                    until.microseconds,
                ]
            ).map {
                DailyCount(
                    day: DailyReport.dayText($0["day"]), kind: try self.value($0, "incidents", "kind"),
                    count: $0["count"])
            }
        }
    }
}
