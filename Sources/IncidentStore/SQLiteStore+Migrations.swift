import GRDB

extension SQLiteStore {
    /// The schema's history. Migrations are append-only: a released one is never edited, so that every store
    /// reaches the same schema whatever version created it.
    ///
    /// Times are INTEGER microseconds since the epoch (the engine's `Timestamp`), label sets JSON objects with
    /// sorted keys, fingerprints 16 hex digits: all readable with the sqlite3 shell.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,
                        received_at INTEGER NOT NULL,
                        event_time INTEGER NOT NULL,
                        source TEXT NOT NULL,
                        status TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        labels TEXT NOT NULL,
                        annotations TEXT NOT NULL,
                        starts_at INTEGER,
                        ends_at INTEGER,
                        generator_url TEXT,
                        acknowledges INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX events_received_at ON events(received_at);

                    CREATE TABLE incidents (
                        number INTEGER PRIMARY KEY,
                        title TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        impact TEXT NOT NULL,
                        urgency TEXT NOT NULL,
                        priority TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        group_key TEXT NOT NULL,
                        labels TEXT NOT NULL,
                        alerts INTEGER NOT NULL,
                        events INTEGER NOT NULL,
                        flapping INTEGER NOT NULL,
                        escalation TEXT,
                        opened_at INTEGER NOT NULL,
                        acknowledged_at INTEGER,
                        acknowledged_by TEXT,
                        resolved_at INTEGER,
                        closed_at INTEGER
                    );
                    CREATE INDEX incidents_state ON incidents(state);
                    CREATE INDEX incidents_opened_at ON incidents(opened_at);

                    CREATE TABLE alerts (
                        incident INTEGER NOT NULL,
                        fingerprint TEXT NOT NULL,
                        labels TEXT NOT NULL,
                        annotations TEXT NOT NULL,
                        status TEXT NOT NULL,
                        first_seen INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL,
                        events INTEGER NOT NULL,
                        suppressed INTEGER NOT NULL,
                        PRIMARY KEY (incident, fingerprint)
                    );

                    CREATE TABLE timeline (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        incident INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX timeline_incident ON timeline(incident);

                    CREATE TABLE notes (
                        id INTEGER PRIMARY KEY,
                        incident INTEGER NOT NULL,
                        at INTEGER NOT NULL,
                        author TEXT NOT NULL,
                        text TEXT NOT NULL
                    );
                    CREATE INDEX notes_incident ON notes(incident);

                    CREATE TABLE engine_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        version INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        saved_at INTEGER NOT NULL
                    );

                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY,
                        incident INTEGER NOT NULL,
                        notifier TEXT NOT NULL,
                        policy TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        round INTEGER NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        due INTEGER NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER,
                        UNIQUE (notifier, idempotency_key)
                    );
                    CREATE INDEX outbox_pending ON outbox(state, next_attempt);

                    CREATE TABLE source_positions (
                        source TEXT PRIMARY KEY,
                        position TEXT NOT NULL
                    );
                    """)
        }
        // v2: the daemon restores the engine from a checkpoint and replays the events committed after it, so the
        // checkpoint records the last event it covers; replayed effects must be idempotent, so the timeline
        // ignores a line it already holds.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE engine_state ADD COLUMN through_event INTEGER NOT NULL DEFAULT 0;
                    CREATE UNIQUE INDEX timeline_unique ON timeline(incident, at, type, detail);
                    """)
        }
        // v3: lifecycle messages (a notifier's `on:`) share the outbox with escalation steps; the moment names
        // them for the notifier's payload.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN moment TEXT")
        }
        // v4: due rows are read per notifier (the oldest few of each), which this index serves in order.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "CREATE INDEX outbox_pending_by_notifier ON outbox(state, notifier, next_attempt, id)")
        }
        // v5: an acknowledgement, resolve or close cancels the pending pages of the steps it stopped, so rows get
        // a fourth state. SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same
        // columns, rows and ids (`moment`, added in v3, stays last), and gains an index for the cancellation's
        // look-up by incident.
        migrator.registerMigration("v5") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox_v5 (
                        id INTEGER PRIMARY KEY,
                        incident INTEGER NOT NULL,
                        notifier TEXT NOT NULL,
                        policy TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        round INTEGER NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        due INTEGER NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER,
                        moment TEXT,
                        UNIQUE (notifier, idempotency_key)
                    );
                    INSERT INTO outbox_v5 (id, incident, notifier, policy, step, round, idempotency_key, due, state,
                        attempts, next_attempt, last_error, delivered_at, moment)
                    SELECT id, incident, notifier, policy, step, round, idempotency_key, due, state, attempts,
                        next_attempt, last_error, delivered_at, moment
                    FROM outbox;
                    DROP TABLE outbox;
                    ALTER TABLE outbox_v5 RENAME TO outbox;
                    CREATE INDEX outbox_pending ON outbox(state, next_attempt);
                    CREATE INDEX outbox_pending_by_notifier ON outbox(state, notifier, next_attempt, id);
                    CREATE INDEX outbox_incident ON outbox(incident, state);
                    """)
        }
        // v6: silences and people (SPEC §11-12). An incident whose firing alerts are all silenced says so, and a
        // page sent to a person (`user:NAME`, `schedule:NAME`) records whom.
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    ALTER TABLE incidents ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE outbox ADD COLUMN recipient TEXT;
                    """)
        }
        // v7: the knowledge base (SPEC §14). Articles, and an FTS5 index over their title, body and learnings that
        // reads its text from the table (external content) and is kept in step by triggers, so a save and its
        // index entry commit together. Diacritics are folded both ways: `depot` finds `Dépôt`.
        migrator.registerMigration("v7") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kb_articles (
                        id INTEGER PRIMARY KEY,
                        slug TEXT NOT NULL UNIQUE,
                        title TEXT NOT NULL,
                        body TEXT NOT NULL,
                        learnings TEXT NOT NULL DEFAULT '',
                        incident INTEGER,
                        rule TEXT,
                        author TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX kb_articles_updated ON kb_articles(updated_at, id);
                    CREATE INDEX kb_articles_incident ON kb_articles(incident);
                    CREATE INDEX kb_articles_rule ON kb_articles(rule);
                    CREATE VIRTUAL TABLE kb_fts USING fts5(
                        title, body, learnings,
                        content = 'kb_articles', content_rowid = 'id',
                        tokenize = 'unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER kb_articles_ai AFTER INSERT ON kb_articles BEGIN
                        INSERT INTO kb_fts (rowid, title, body, learnings)
                        VALUES (new.id, new.title, new.body, new.learnings);
                    END;
                    CREATE TRIGGER kb_articles_ad AFTER DELETE ON kb_articles BEGIN
                        INSERT INTO kb_fts (kb_fts, rowid, title, body, learnings)
                        VALUES ('delete', old.id, old.title, old.body, old.learnings);
                    END;
                    CREATE TRIGGER kb_articles_au AFTER UPDATE ON kb_articles BEGIN
                        INSERT INTO kb_fts (kb_fts, rowid, title, body, learnings)
                        VALUES ('delete', old.id, old.title, old.body, old.learnings);
                        INSERT INTO kb_fts (rowid, title, body, learnings)
                        VALUES (new.id, new.title, new.body, new.learnings);
                    END;
                    """)
        }
        // v8: the timeline's uniqueness (the same columns, so `INSERT OR IGNORE` ignores the same lines) keyed by
        // time first. Keyed by incident first, each commit's lines landed on as many leaf pages as it touched
        // incidents, and those pages were 27% of what the ingest's commits wrote to the WAL; by time, new lines
        // go to the index's right edge. Reads by incident use `timeline_incident` (BENCHMARKS.md, issue 16).
        migrator.registerMigration("v8") { db in
            try db.execute(
                sql: """
                    DROP INDEX timeline_unique;
                    CREATE UNIQUE INDEX timeline_unique ON timeline(at, incident, type, detail);
                    """)
        }
        // v9: the outbox's three indexes hold pending rows only (partial indexes; every query through them asks
        // for `state = 'pending'`). Keyed by state, they held every page ever sent, and a settlement moved its
        // row from the pending part of each to the delivered part: six index pages written where three are now
        // (BENCHMARKS.md, issue 16).
        migrator.registerMigration("v9") { db in
            try db.execute(
                sql: """
                    DROP INDEX outbox_pending;
                    DROP INDEX outbox_pending_by_notifier;
                    DROP INDEX outbox_incident;
                    CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE state = 'pending';
                    CREATE INDEX outbox_pending_by_notifier ON outbox(notifier, next_attempt, id)
                        WHERE state = 'pending';
                    CREATE INDEX outbox_incident ON outbox(incident) WHERE state = 'pending';
                    """)
        }
        // v10: a checkpoint too large for one commit is written in parts across several (`EngineStatePart`):
        // written whole, 6–8 MB at 100,000 alerts stopped the writer for 0.05–0.15 s (BENCHMARKS.md, issue 16).
        // `engine_state` names the generation whose parts make the saved checkpoint (`parts` > 0; its `data` is
        // then empty), and the parts of one being written wait beside it under the next generation.
        migrator.registerMigration("v10") { db in
            try db.execute(
                sql: """
                    ALTER TABLE engine_state ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE engine_state ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE engine_state_parts (
                        generation INTEGER NOT NULL,
                        seq INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        PRIMARY KEY (generation, seq)
                    );
                    """)
        }
        return migrator
    }
}
