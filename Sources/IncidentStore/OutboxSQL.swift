/// The outbox's reads of pending rows. Each asks for `state = 'pending'` in those words, which is what lets
/// SQLite use the outbox's partial indexes (schema v9: they hold pending rows only); a condition that did not
/// imply it (`state IN (...)`, a bound parameter) would scan the table. `MigrationTests` plans these statements.
enum OutboxSQL {
    /// The notifiers with pending rows, one index probe each (a loose index scan), then each one's first `limit`
    /// due rows from `outbox_pending_by_notifier`. A window over every pending row read and sorted all of them at
    /// each pass: with a backlog of a few thousand pages that was 18% of the daemon's CPU (BENCHMARKS.md, issue
    /// 16). Arguments: the time, the limit per notifier.
    static let due = """
        WITH RECURSIVE notifiers(name) AS (
            SELECT (SELECT MIN(notifier) FROM outbox WHERE state = 'pending')
            UNION ALL
            SELECT (SELECT MIN(notifier) FROM outbox WHERE state = 'pending' AND notifier > name)
            FROM notifiers WHERE name IS NOT NULL
        )
        SELECT o.* FROM notifiers JOIN outbox AS o ON o.id IN (
            SELECT id FROM outbox
            WHERE state = 'pending' AND notifier = notifiers.name AND next_attempt <= ?
            ORDER BY next_attempt, id LIMIT ?
        )
        ORDER BY o.next_attempt, o.id
        """

    /// The earliest next attempt of a pending row.
    static let nextAttempt = "SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending'"

    /// How many rows are pending, and the oldest due time among those due by the time given.
    static let status = """
        SELECT COUNT(*) AS pending, MIN(CASE WHEN due <= ? THEN due END) AS oldest_due
        FROM outbox WHERE state = 'pending'
        """

    /// An incident's pending escalation steps due by the time given (an acknowledgement's cancellation).
    static let cancellable = """
        SELECT id, notifier, policy, step, round, idempotency_key, attempts, last_error FROM outbox
        WHERE incident = ? AND state = 'pending' AND moment IS NULL AND due <= ?
        ORDER BY id
        """
}
