import Foundation
import IncidentCore
import PostgresNIO

extension PostgresStore {
    public func incident(_ number: Int) async throws -> Incident? {
        var sql = SQL("SELECT * FROM incidents WHERE number = ")
        sql.text += sql.bind(Int64(number))
        return try await read("read incident \(number) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first.map(self.incident(from:))
        }
    }

    public func incidents(
        states: Set<IncidentState>, kind: IncidentKind?, priority: Priority?, limit: Int
    ) async throws -> [Incident] {
        guard !states.isEmpty, limit > 0 else { return [] }
        var sql = SQL("SELECT * FROM incidents WHERE ")
        let filter = Self.filter(
            &sql, IncidentSearch(states: states, kind: kind, priority: priority, limit: limit))
        sql.text += filter + " ORDER BY opened_at DESC, number DESC LIMIT " + sql.bind(Int64(limit))
        return try await read("list incidents in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map(self.incident(from:))
        }
    }

    /// The page and its total in one REPEATABLE READ transaction, so the two agree. Text matches title, labels and
    /// rule without regard to case (SQLite's LIKE ignores ASCII case; ILIKE here), wildcards escaped.
    public func searchIncidents(_ search: IncidentSearch) async throws -> IncidentPage {
        guard search.limit > 0 else { return IncidentPage(incidents: [], total: 0) }
        var count = SQL("SELECT COUNT(*) AS n FROM incidents WHERE ")
        count.text += Self.filter(&count, search)
        var page = SQL("SELECT * FROM incidents WHERE ")
        page.text +=
            Self.filter(&page, search) + " ORDER BY opened_at DESC, number DESC LIMIT "
            + page.bind(Int64(search.limit)) + " OFFSET " + page.bind(Int64(max(0, search.offset)))
        return try await write("search incidents in") { [count, page] connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            let total =
                try await connection.rows(count, logger: self.logger).first
                .map { try RowReader($0, "incidents", self).int("n") } ?? 0
            let incidents = try await connection.rows(page, logger: self.logger).map(self.incident(from:))
            return IncidentPage(incidents: incidents, total: total)
        }
    }

    /// The WHERE clause of a search, its values bound into `sql`.
    static func filter(_ sql: inout SQL, _ search: IncidentSearch) -> String {
        let states = search.effectiveStates.map(\.rawValue).sorted()
        var conditions = ["state IN (" + states.map { sql.bind($0) }.joined(separator: ", ") + ")"]
        if let kind = search.kind { conditions.append("kind = " + sql.bind(kind.rawValue)) }
        if let priority = search.priority { conditions.append("priority = " + sql.bind(priority.rawValue)) }
        if let rule = search.rule { conditions.append("rule = " + sql.bind(rule)) }
        for (name, value) in search.labels.sorted(by: { $0.key < $1.key }) {
            // The label's name is a value too: never SQL, whatever it holds.
            conditions.append("(labels::jsonb ->> \(sql.bind(name))) = \(sql.bind(value))")
        }
        if let text = search.effectiveText {
            let pattern = "%" + likeEscaped(text) + "%"
            var alternatives = ["title", "labels", "rule"].map { "\($0) ILIKE \(sql.bind(pattern)) ESCAPE '\\'" }
            if let number = Incident.number(from: text.uppercased()) {
                alternatives.append("number = " + sql.bind(Int64(number)))
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        return conditions.joined(separator: " AND ")
    }

    /// `text` with LIKE's wildcards and its escape character escaped by `\`.
    static func likeEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    public func alerts(of incident: Int) async throws -> [AlertSnapshot] {
        var sql = SQL("SELECT * FROM alerts WHERE incident = ")
        sql.text += sql.bind(Int64(incident)) + " ORDER BY first_seen, fingerprint"
        return try await read("read the alerts of incident \(incident) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map(self.alert(from:))
        }
    }

    public func latestAlert(of incident: Int) async throws -> AlertSnapshot? {
        var sql = SQL("SELECT * FROM alerts WHERE incident = ")
        sql.text += sql.bind(Int64(incident)) + " ORDER BY last_seen DESC, first_seen, fingerprint LIMIT 1"
        return try await read("read the latest alert of incident \(incident) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first.map(self.alert(from:))
        }
    }

    public func timeline(of incident: Int) async throws -> [TimelineEntry] {
        var sql = SQL("SELECT at, type, detail FROM timeline WHERE incident = ")
        sql.text += sql.bind(Int64(incident)) + " ORDER BY at, id"
        return try await read("read the timeline of incident \(incident) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "timeline", self)
                return TimelineEntry(at: try r.time("at"), type: try r.get("type"), detail: try r.get("detail"))
            }
        }
    }

    public func notes(of incident: Int) async throws -> [IncidentNote] {
        var sql = SQL("SELECT * FROM notes WHERE incident = ")
        sql.text += sql.bind(Int64(incident)) + " ORDER BY at, id"
        return try await read("read the notes of incident \(incident) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "notes", self)
                return IncidentNote(
                    id: try r.get("id"), incident: try r.int("incident"), at: try r.time("at"),
                    author: try r.get("author"), text: try r.get("text"))
            }
        }
    }

    public func addNote(incident: Int, author: String, text: String, at time: Timestamp) async throws -> IncidentNote {
        var sql = SQL("INSERT INTO notes (incident, at, author, text) VALUES (")
        sql.text +=
            "\(sql.bind(Int64(incident))), \(sql.bind(time.microseconds)), \(sql.bind(author)), \(sql.bind(text))) "
            + "RETURNING id"
        let id: Int64 = try await write("add a note to incident \(incident) in") { [sql] connection in
            guard let row = try await connection.rows(sql, logger: self.logger).first else {
                throw self.corrupt("notes", "id", "(no id returned)")
            }
            return try RowReader(row, "notes", self).get("id")
        }
        return IncidentNote(id: id, incident: incident, at: time, author: author, text: text)
    }

    public func engineState() async throws -> Data? {
        try await engineCheckpoint()?.data
    }

    public func engineCheckpoint() async throws -> EngineCheckpoint? {
        try await read("read the engine checkpoint from") { connection in
            // One statement, so one snapshot: read in two, a commit between them could drop the parts the row
            // names, or pair the row with the parts of a later checkpoint.
            let rows = try await connection.rows(
                SQL(
                    "SELECT s.data, s.saved_at, s.through_event, s.generation, s.parts, p.seq, p.data AS part "
                        + "FROM engine_state s LEFT JOIN engine_state_parts p "
                        + "ON s.parts > 0 AND p.generation = s.generation WHERE s.id = 1 ORDER BY p.seq"),
                logger: self.logger)
            guard let row = rows.first else { return nil }
            let r = RowReader(row, "engine_state", self)
            var checkpoint = EngineCheckpoint(
                data: try r.get("data"), throughEvent: try r.get("through_event"), savedAt: try r.time("saved_at"))
            let parts = try r.int("parts")
            guard parts > 0 else { return checkpoint }
            let generation: Int64 = try r.get("generation")
            var stored: [(seq: Int64, data: Data)] = []
            for row in rows {
                let p = RowReader(row, "engine_state_parts", self)
                guard let seq = try p.get("seq", Int64?.self), let data = try p.get("part", Data?.self) else {
                    continue
                }
                stored.append((seq: seq, data: data))
            }
            guard let whole = EngineStatePart.assemble(stored, count: parts) else {
                throw self.corrupt(
                    "engine_state_parts", "seq",
                    "\(stored.count) parts of generation \(generation) where the checkpoint has \(parts)")
            }
            checkpoint.data = whole
            return checkpoint
        }
    }

    public func sourcePosition(_ source: String) async throws -> String? {
        var sql = SQL("SELECT position FROM source_positions WHERE source = ")
        sql.text += sql.bind(source)
        return try await read("read the position of source \(source) from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first
                .map { try RowReader($0, "source_positions", self).get("position") }
        }
    }

    public func events(after id: Int64, limit: Int) async throws -> [(id: Int64, event: Event)] {
        var sql = SQL("SELECT * FROM events WHERE id > ")
        sql.text += sql.bind(id) + " ORDER BY id LIMIT " + sql.bind(Int64(max(0, limit)))
        return try await read("read events from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                (id: try RowReader($0, "events", self).get("id"), event: try self.event(from: $0))
            }
        }
    }

    /// The events held: the ids drawn less the events deleted (schema v4's counter, kept by a trigger), two rows
    /// read in one snapshot.
    public func eventCount() async throws -> Int {
        try await read("count the events in") { connection in
            try await connection.rows(
                SQL(
                    "SELECT (SELECT value FROM incidentd_counters WHERE name = 'events') "
                        + "- (SELECT value FROM incidentd_counters WHERE name = 'events_purged') AS n"),
                logger: self.logger
            ).first.map { try RowReader($0, "incidentd_counters", self).int("n") } ?? 0
        }
    }

    /// Deletes the events received before `time`; events after the engine checkpoint stay (a restart replays
    /// them). The trigger of schema v4 adds what it deleted to the `events_purged` counter, so `eventCount`
    /// follows.
    public func purgeEvents(olderThan time: Timestamp) async throws -> Int {
        var sql = SQL("WITH gone AS (DELETE FROM events WHERE received_at < ")
        sql.text +=
            sql.bind(time.microseconds)
            + " AND id <= (SELECT COALESCE(MAX(through_event), 0) FROM engine_state) RETURNING 1) "
            + "SELECT COUNT(*) AS n FROM gone"
        return try await write("purge old events from", unbounded: true) { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first
                .map { try RowReader($0, "events", self).int("n") } ?? 0
        }
    }

    public func report(since: Timestamp) async throws -> [ReportLine] {
        var sql = SQL(
            """
            SELECT kind, priority, COUNT(*) AS count,
                (AVG(acknowledged_at - opened_at) / 1000000.0)::FLOAT8 AS mtta,
                (AVG(resolved_at - opened_at) / 1000000.0)::FLOAT8 AS mttr
            FROM incidents WHERE opened_at >=
            """)
        sql.text += " " + sql.bind(since.microseconds) + " GROUP BY kind, priority ORDER BY priority, kind"
        return try await read("compute a report from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "incidents", self)
                return ReportLine(
                    kind: try r.value("kind"), priority: try r.value("priority"), count: try r.int("count"),
                    meanTimeToAcknowledge: try r.get("mtta"), meanTimeToResolve: try r.get("mttr"))
            }
        }
    }

    public func ruleActivity(since: Timestamp) async throws -> [RuleActivity] {
        var sql = SQL(
            """
            SELECT rule, COUNT(*) AS incidents, COALESCE(SUM(events), 0)::BIGINT AS events,
                COALESCE(SUM(alerts), 0)::BIGINT AS alerts, MAX(opened_at) AS last_opened_at
            FROM incidents WHERE opened_at >=
            """)
        sql.text += " " + sql.bind(since.microseconds) + " GROUP BY rule ORDER BY rule COLLATE \"C\""
        return try await read("count the activity of each rule in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "incidents", self)
                return RuleActivity(
                    rule: try r.get("rule"), incidents: try r.int("incidents"), events: try r.int("events"),
                    alerts: try r.int("alerts"), lastOpenedAt: try r.optionalTime("last_opened_at"))
            }
        }
    }

    public func dailyCounts(since: Timestamp, until: Timestamp) async throws -> [DailyCount] {
        var sql = SQL()
        let day = sql.bind(Int64(86_400_000_000))
        // floor() of the division: days before 1970 land on the right day too.
        sql.text =
            "SELECT floor(opened_at::NUMERIC / \(day))::BIGINT AS day, kind, COUNT(*) AS count FROM incidents "
            + "WHERE opened_at >= \(sql.bind(since.microseconds)) AND opened_at < \(sql.bind(until.microseconds)) "
            + "GROUP BY 1, kind ORDER BY 1, kind COLLATE \"C\""
        return try await read("count the incidents of each day in") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "incidents", self)
                return DailyCount(
                    day: DailyReport.dayText(try r.get("day", Int64.self)), kind: try r.value("kind"),
                    count: try r.int("count"))
            }
        }
    }

    func incident(from row: PostgresRandomAccessRow) throws -> Incident {
        let r = RowReader(row, "incidents", self)
        var escalation: Incident.Escalation?
        if let text = try r.get("escalation", String?.self) {
            escalation = try decodeEscalation(text)
        }
        return Incident(
            number: try r.int("number"), title: try r.get("title"), kind: try r.value("kind"),
            state: try r.value("state"), impact: try r.value("impact"), urgency: try r.value("urgency"),
            priority: try r.value("priority"), rule: try r.get("rule"), groupKey: try r.get("group_key"),
            labels: try r.labels("labels"), alerts: try r.int("alerts"), events: try r.int("events"),
            flapping: try r.get("flapping"), escalation: escalation, openedAt: try r.time("opened_at"),
            acknowledgedAt: try r.optionalTime("acknowledged_at"), acknowledgedBy: try r.get("acknowledged_by"),
            resolvedAt: try r.optionalTime("resolved_at"), closedAt: try r.optionalTime("closed_at"),
            silenced: try r.get("silenced"))
    }

    func decodeEscalation(_ text: String) throws -> Incident.Escalation {
        do {
            return try JSONDecoder().decode(EscalationColumn.self, from: Data(text.utf8)).escalation
        } catch {
            throw corrupt("incidents", "escalation", text)
        }
    }

    func alert(from row: PostgresRandomAccessRow) throws -> AlertSnapshot {
        let r = RowReader(row, "alerts", self)
        let hex: String = try r.get("fingerprint")
        guard let fingerprint = Fingerprint(hex: hex) else { throw corrupt("alerts", "fingerprint", hex) }
        return AlertSnapshot(
            fingerprint: fingerprint, incident: try r.int("incident"), labels: try r.labels("labels"),
            annotations: try r.labels("annotations"), status: try r.value("status"),
            firstSeen: try r.time("first_seen"),
            lastSeen: try r.time("last_seen"), events: try r.int("events"), suppressed: try r.get("suppressed"))
    }

    func event(from row: PostgresRandomAccessRow) throws -> Event {
        let r = RowReader(row, "events", self)
        return Event(
            labels: try r.labels("labels"), annotations: try r.labels("annotations"), status: try r.value("status"),
            startsAt: try r.optionalTime("starts_at"), endsAt: try r.optionalTime("ends_at"),
            source: try r.value("source"), receivedAt: try r.time("received_at"),
            generatorURL: try r.get("generator_url"), acknowledges: try r.get("acknowledges"))
    }

    func outboxEntry(from row: PostgresRandomAccessRow) throws -> OutboxEntry {
        let r = RowReader(row, "outbox", self)
        let notification = Notification(
            incident: try r.int("incident"), notifier: try r.get("notifier"), policy: try r.get("policy"),
            step: try r.int("step"), round: try r.int("round"), due: try r.time("due"), moment: try r.get("moment"),
            user: try r.get("recipient"))
        return OutboxEntry(
            id: try r.get("id"), notification: notification, state: try r.value("state"),
            attempts: try r.int("attempts"), nextAttempt: try r.time("next_attempt"),
            lastError: try r.get("last_error"), deliveredAt: try r.optionalTime("delivered_at"))
    }
}
