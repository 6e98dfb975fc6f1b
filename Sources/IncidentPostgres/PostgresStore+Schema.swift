import Foundation
import IncidentCore
import PostgresNIO

extension PostgresStore {
    /// The schema's history, as in the SQLite store: append-only, a released step is never edited. Version 1 is
    /// the SQLite store's schema at its v7 in PostgreSQL's types: times are BIGINT microseconds since the epoch,
    /// label sets JSON text with sorted keys (the same bytes as SQLite holds, so `store copy` moves them as they
    /// are), flags BOOLEAN, the engine's checkpoint BYTEA.
    ///
    /// The knowledge base's full-text index is a generated `tsvector` column over a text search configuration
    /// that folds diacritics (`unaccent`, a trusted extension the database's owner may create), so `depot`
    /// finds `Dépôt` as with SQLite's FTS5 `remove_diacritics`.
    static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE TABLE events (
                id BIGINT PRIMARY KEY,
                received_at BIGINT NOT NULL,
                event_time BIGINT NOT NULL,
                source TEXT NOT NULL,
                status TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                labels TEXT NOT NULL,
                annotations TEXT NOT NULL,
                starts_at BIGINT,
                ends_at BIGINT,
                generator_url TEXT,
                acknowledges BOOLEAN NOT NULL DEFAULT FALSE
            );
            -- Event ids come from this counter, not a sequence: it is transactional (a rolled-back batch leaves no
            -- gap) and its row lock, held to the commit, hands out ids in commit order.
            CREATE TABLE incidentd_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
            INSERT INTO incidentd_counters (name, value) VALUES ('events', 0);
            CREATE INDEX events_received_at ON events(received_at);

            CREATE TABLE incidents (
                number BIGINT PRIMARY KEY,
                title TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                impact TEXT NOT NULL,
                urgency TEXT NOT NULL,
                priority TEXT NOT NULL,
                rule TEXT NOT NULL,
                group_key TEXT NOT NULL,
                labels TEXT NOT NULL,
                alerts BIGINT NOT NULL,
                events BIGINT NOT NULL,
                flapping BOOLEAN NOT NULL,
                escalation TEXT,
                opened_at BIGINT NOT NULL,
                acknowledged_at BIGINT,
                acknowledged_by TEXT,
                resolved_at BIGINT,
                closed_at BIGINT,
                silenced BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE INDEX incidents_state ON incidents(state);
            CREATE INDEX incidents_opened_at ON incidents(opened_at);

            CREATE TABLE alerts (
                incident BIGINT NOT NULL,
                fingerprint TEXT NOT NULL,
                labels TEXT NOT NULL,
                annotations TEXT NOT NULL,
                status TEXT NOT NULL,
                first_seen BIGINT NOT NULL,
                last_seen BIGINT NOT NULL,
                events BIGINT NOT NULL,
                suppressed BOOLEAN NOT NULL,
                PRIMARY KEY (incident, fingerprint)
            );

            CREATE TABLE timeline (
                id BIGSERIAL PRIMARY KEY,
                incident BIGINT NOT NULL,
                at BIGINT NOT NULL,
                type TEXT NOT NULL,
                detail TEXT NOT NULL
            );
            CREATE INDEX timeline_incident ON timeline(incident);
            -- A replayed effect repeats no line. The detail is hashed: a B-tree entry is limited to about 2.7 kB.
            CREATE UNIQUE INDEX timeline_unique ON timeline(incident, at, type, md5(detail));

            CREATE TABLE notes (
                id BIGSERIAL PRIMARY KEY,
                incident BIGINT NOT NULL,
                at BIGINT NOT NULL,
                author TEXT NOT NULL,
                text TEXT NOT NULL
            );
            CREATE INDEX notes_incident ON notes(incident);

            CREATE TABLE engine_state (
                id BIGINT PRIMARY KEY CHECK (id = 1),
                version BIGINT NOT NULL,
                data BYTEA NOT NULL,
                saved_at BIGINT NOT NULL,
                through_event BIGINT NOT NULL DEFAULT 0
            );

            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY,
                incident BIGINT NOT NULL,
                notifier TEXT NOT NULL,
                policy TEXT NOT NULL,
                step BIGINT NOT NULL,
                round BIGINT NOT NULL,
                idempotency_key TEXT NOT NULL,
                due BIGINT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt BIGINT NOT NULL,
                last_error TEXT,
                delivered_at BIGINT,
                moment TEXT,
                recipient TEXT,
                UNIQUE (notifier, idempotency_key)
            );
            CREATE INDEX outbox_pending ON outbox(state, next_attempt);
            CREATE INDEX outbox_pending_by_notifier ON outbox(state, notifier, next_attempt, id);
            CREATE INDEX outbox_incident ON outbox(incident, state);

            CREATE TABLE source_positions (
                source TEXT PRIMARY KEY,
                position TEXT NOT NULL
            );

            CREATE EXTENSION IF NOT EXISTS unaccent;
            CREATE TEXT SEARCH CONFIGURATION incidentd_kb (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION incidentd_kb
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
            CREATE TABLE kb_articles (
                id BIGSERIAL PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                learnings TEXT NOT NULL DEFAULT '',
                incident BIGINT,
                rule TEXT,
                author TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('incidentd_kb', title), 'A')
                    || setweight(to_tsvector('incidentd_kb', learnings), 'B')
                    || setweight(to_tsvector('incidentd_kb', body), 'D')
                ) STORED
            );
            CREATE INDEX kb_articles_updated ON kb_articles(updated_at, id);
            CREATE INDEX kb_articles_incident ON kb_articles(incident);
            CREATE INDEX kb_articles_rule ON kb_articles(rule);
            CREATE INDEX kb_articles_search ON kb_articles USING GIN (search);
            """
        ),
        // v2: leadership (SPEC §15). One row: who leads, under which term, until when (the database's clock). A
        // term only grows; every write of a leader checks it (`FOR SHARE`, so a takeover waits for that write).
        (
            2,
            """
            CREATE TABLE incidentd_leader (
                id BIGINT PRIMARY KEY CHECK (id = 1),
                holder TEXT NOT NULL,
                term BIGINT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            );
            INSERT INTO incidentd_leader (id, holder, term, expires_at) VALUES (1, '', 0, '-infinity');
            """
        ),
        // v3: the relay (SPEC §15, every instance ingests), and the instances' last word on their role. A standby commits the events its own sources read here,
        // with ids drawn like the events' (in commit order, without gaps); the leader takes them in id order into
        // its pipeline, its position `relay` committed with them, and deletes what it has taken.
        (
            3,
            """
            -- The events' columns (and primary key), so both tables keep one shape, plus the instance that read it.
            CREATE TABLE incidentd_relay (LIKE events INCLUDING ALL, instance TEXT NOT NULL);
            INSERT INTO incidentd_counters (name, value) VALUES ('relay', 0);
            -- Each instance says what it is every pass of its lease loop, for `incidentctl status --store`.
            CREATE TABLE incidentd_instances (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                term BIGINT,
                relay_lag BIGINT,
                seen_at TIMESTAMPTZ NOT NULL
            );
            """
        ),
        // v4: the events held, without counting the table. Ids are drawn from the `events` counter without gaps
        // (a rollback gives them back), so the events held are the ids drawn less the events deleted, which a
        // statement-level trigger adds up: every delete counts, the purge's and any other (an older instance's
        // purge during a rolling upgrade, an operator's). Before, every scrape of /metrics ran COUNT(*) over the
        // events: a month of them, read in full every 15 s. (A function's body stays on one line: the migration
        // is cut into statements at each `;` that ends a line.)
        (
            4,
            """
            INSERT INTO incidentd_counters (name, value)
                SELECT 'events_purged', value - (SELECT COUNT(*) FROM events)
                FROM incidentd_counters WHERE name = 'events';
            CREATE FUNCTION incidentd_count_purged() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE incidentd_counters SET value = value + (SELECT COUNT(*) FROM gone) WHERE name = 'events_purged'; RETURN NULL; END $$;
            CREATE TRIGGER events_purged AFTER DELETE ON events REFERENCING OLD TABLE AS gone
                FOR EACH STATEMENT EXECUTE FUNCTION incidentd_count_purged();
            """
        ),
        // v5: the outbox's indexes hold pending rows only, as the SQLite store's v9: every query through them asks
        // for `state = 'pending'`, and a settled row's new version goes into none of them.
        (
            5,
            """
            DROP INDEX outbox_pending;
            DROP INDEX outbox_pending_by_notifier;
            DROP INDEX outbox_incident;
            CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE state = 'pending';
            CREATE INDEX outbox_pending_by_notifier ON outbox(notifier, next_attempt, id) WHERE state = 'pending';
            CREATE INDEX outbox_incident ON outbox(incident) WHERE state = 'pending';
            """
        ),
        // v6: a checkpoint too large for one commit is written in parts across several, as the SQLite store's v10
        // (`EngineStatePart`): `engine_state` names the generation whose parts make the saved checkpoint. The parts
        // are stored out of line uncompressed: they are zstd already.
        (
            6,
            """
            ALTER TABLE engine_state ADD COLUMN IF NOT EXISTS generation BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE engine_state ADD COLUMN IF NOT EXISTS parts BIGINT NOT NULL DEFAULT 0;
            CREATE TABLE IF NOT EXISTS engine_state_parts (
                generation BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                data BYTEA NOT NULL,
                PRIMARY KEY (generation, seq)
            );
            ALTER TABLE engine_state_parts ALTER COLUMN data SET STORAGE EXTERNAL;
            """
        ),
    ]

    /// The statements of a migration: its text cut after each `;` that ends a line.
    static func statements(_ sql: String) -> [String] {
        (sql + "\n").components(separatedBy: ";\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter {
                !$0.isEmpty
                    && !$0.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            }
    }

    /// The newest schema version this build knows.
    static var schemaVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the schema up to date in one transaction. Instances starting together take turns on an advisory
    /// lock, so each step runs once; a database whose schema is newer than this build is refused.
    func migrate(on connection: PostgresConnection) async throws {
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await self.migrateInTransaction(connection)
            }
        } catch let error as PostgresTransactionError {
            throw storeError(
                error.closureError ?? error.commitError ?? error.beginError ?? error, doing: "prepare the schema of")
        } catch {
            throw storeError(error, doing: "prepare the schema of")
        }
    }

    private func migrateInTransaction(_ connection: PostgresConnection) async throws {
        do {
            var lock = SQL("SELECT pg_advisory_xact_lock(")
            lock.text += lock.bind(Self.migrationLock) + ")"
            try await connection.run(lock, logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS incidentd_schema (
                    version BIGINT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let current =
                try await connection.rows(SQL("SELECT MAX(version) AS v FROM incidentd_schema"), logger: logger)
                .first.map { try RowReader($0, "incidentd_schema", self).optionalInt("v") } ?? nil
            let applied = current ?? 0
            guard applied <= Self.schemaVersion else {
                throw StoreError(
                    .schemaTooNew, store: address,
                    message: "the store \(address) was written by a newer incidentd (schema \(applied), this build "
                        + "knows \(Self.schemaVersion)); run the newer incidentd on every instance.")
            }
            for migration in Self.migrations where migration.version > applied {
                // One statement at a time: a statement with parameters (the extended protocol, which postgres-nio
                // uses for all) may not hold several.
                for statement in Self.statements(migration.sql) {
                    try await connection.run(statement, logger: logger)
                }
                var record = SQL("INSERT INTO incidentd_schema (version) VALUES (")
                record.text += record.bind(Int64(migration.version)) + ")"
                try await connection.run(record, logger: logger)
            }
        }
    }
}
