import Foundation

/// One column value as `incidentctl store copy` moves it between stores.
public enum ColumnValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// The tables a store copy moves, each with its columns, in the order they are copied. Both stores have these
/// tables with these columns (the PostgreSQL schema is the SQLite one's at its v7, and its v6 has the checkpoint's
/// parts of the SQLite one's v10); the knowledge base's search index is rebuilt by the target.
public enum StoreCopyTables {
    public static let all: [(table: String, columns: [String])] = [
        (
            "events",
            [
                "id", "received_at", "event_time", "source", "status", "fingerprint", "labels", "annotations",
                "starts_at", "ends_at", "generator_url", "acknowledges",
            ]
        ),
        (
            "incidents",
            [
                "number", "title", "kind", "state", "impact", "urgency", "priority", "rule", "group_key", "labels",
                "alerts", "events", "flapping", "escalation", "opened_at", "acknowledged_at", "acknowledged_by",
                "resolved_at", "closed_at", "silenced",
            ]
        ),
        (
            "alerts",
            [
                "incident", "fingerprint", "labels", "annotations", "status", "first_seen", "last_seen", "events",
                "suppressed",
            ]
        ),
        ("timeline", ["id", "incident", "at", "type", "detail"]),
        ("notes", ["id", "incident", "at", "author", "text"]),
        ("engine_state", ["id", "version", "data", "saved_at", "through_event", "generation", "parts"]),
        ("engine_state_parts", ["generation", "seq", "data"]),
        (
            "outbox",
            [
                "id", "incident", "notifier", "policy", "step", "round", "idempotency_key", "due", "state", "attempts",
                "next_attempt", "last_error", "delivered_at", "moment", "recipient",
            ]
        ),
        ("source_positions", ["source", "position"]),
        (
            "kb_articles",
            ["id", "slug", "title", "body", "learnings", "incident", "rule", "author", "created_at", "updated_at"]
        ),
    ]
}
