import IncidentCore
import PostgresNIO

/// What an instance sharing the store last said about itself (SPEC §15: each instance's role, term and replay
/// lag), for `incidentctl status --store`.
public struct InstanceStatus: Sendable, Hashable {
    public var name: String
    /// `leader` or `standby`.
    public var role: String
    /// The term it leads under; nil for a standby.
    public var term: Int64?
    /// The relay rows the leader had not taken yet, when it last said; nil for a standby.
    public var relayLag: Int64?
    /// How long ago it last said so, by the database's clock, in seconds.
    public var secondsAgo: Double

    public init(name: String, role: String, term: Int64?, relayLag: Int64?, secondsAgo: Double) {
        self.name = name
        self.role = role
        self.term = term
        self.relayLag = relayLag
        self.secondsAgo = secondsAgo
    }
}

extension PostgresStore {
    /// Records what this instance is now. Not fenced: a standby says it too.
    public func report(instance: String, role: String, term: Int64?, relayLag: Int64?) async throws {
        var sql = SQL("INSERT INTO incidentd_instances (name, role, term, relay_lag, seen_at) VALUES (")
        sql.text +=
            [sql.bind(instance), sql.bind(role), sql.bind(term), sql.bind(relayLag)].joined(separator: ", ")
            + ", clock_timestamp()) ON CONFLICT (name) DO UPDATE SET role = excluded.role, term = excluded.term, "
            + "relay_lag = excluded.relay_lag, seen_at = excluded.seen_at"
        try await write("record this instance's role in", fenced: false) { [sql] connection in
            try await connection.run(sql, logger: self.logger)
        }
    }

    /// Every instance that has reported, the most recently seen first.
    public func instances() async throws -> [InstanceStatus] {
        let sql = SQL(
            "SELECT name, role, term, relay_lag, EXTRACT(EPOCH FROM clock_timestamp() - seen_at)::FLOAT8 AS ago "
                + "FROM incidentd_instances ORDER BY seen_at DESC, name")
        return try await read("read the instances of") { connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "incidentd_instances", self)
                return InstanceStatus(
                    name: try r.get("name"), role: try r.get("role"), term: try r.get("term"),
                    relayLag: try r.get("relay_lag"), secondsAgo: try r.get("ago"))
            }
        }
    }
}
