import IncidentCore
import PostgresNIO

/// The relay (SPEC §15): every instance ingests its own sources. A standby commits what they read here, with
/// their source positions (its journal cursor), before it acknowledges; the leader takes the rows in id order
/// into its own pipeline, which commits them as events together with its position `relay`, so each relayed event
/// becomes an event exactly once, whichever instance leads.
///
/// Ids follow commit order without gaps, as the events' do: a relay commit holds an advisory lock (its own, not
/// the events') and draws its ids from a counter row. A reader asking for `id > last` therefore cannot skip a
/// row whose transaction committed late.
extension PostgresStore {
    /// The position, in `source_positions`, of the last relay row the leader's pipeline committed.
    public static let relayPositionKey = "relay"

    /// Commits events a standby's sources read, with their positions, in one transaction. It is not fenced: a
    /// standby holds no term, and a relay row changes nothing until a leader takes it.
    @discardableResult
    public func relay(_ events: [Event], positions: [String: String], from instance: String) async throws -> [Int64] {
        guard !events.isEmpty || !positions.isEmpty else { return [] }
        return try await write("relay \(events.count) events to", fenced: false) { connection in
            var ids: [Int64] = []
            if !events.isEmpty {
                try await self.lock(Self.relayOrderLock, on: connection)
                ids = try await self.drawIDs(events.count, from: "relay", on: connection)
                try await self.insertEvents(
                    Array(zip(ids, events)), into: "incidentd_relay", instance: instance, on: connection)
            }
            try await self.upsertPositions(positions, on: connection)
            return ids
        }
    }

    /// Relay rows after `id`, in id order, with the instance that read each.
    public func relayed(after id: Int64, limit: Int) async throws -> [(id: Int64, instance: String, event: Event)] {
        var sql = SQL("SELECT * FROM incidentd_relay WHERE id > ")
        sql.text += sql.bind(id) + " ORDER BY id LIMIT " + sql.bind(Int64(max(0, limit)))
        return try await read("read relayed events from") { [sql] connection in
            try await connection.rows(sql, logger: self.logger).map {
                let r = RowReader($0, "incidentd_relay", self)
                return (id: try r.get("id"), instance: try r.get("instance"), event: try self.event(from: $0))
            }
        }
    }

    /// The newest relay id committed (0 when none), for the leader's replay lag.
    public func lastRelayed() async throws -> Int64 {
        try await read("read the relay's last id from") { connection in
            try await connection.rows(
                SQL("SELECT value FROM incidentd_counters WHERE name = 'relay'"), logger: self.logger
            ).first.map { try RowReader($0, "incidentd_counters", self).get("value") } ?? 0
        }
    }

    /// Deletes the relay rows up to `id`, which the leader's pipeline has committed as events. Fenced: only the
    /// leader prunes.
    public func forgetRelayed(through id: Int64) async throws {
        var sql = SQL("DELETE FROM incidentd_relay WHERE id <= ")
        sql.text += sql.bind(id)
        try await write("prune the relay in") { [sql] connection in
            try await connection.run(sql, logger: self.logger)
        }
    }
}
