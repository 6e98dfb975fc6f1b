import IncidentCore
import PostgresNIO

extension PostgresStore {
    /// Every committed source position whose key starts with `prefix` (the spool's `spool:NAME` rows), by key.
    public func sourcePositions(withPrefix prefix: String) async throws -> [String: String] {
        var sql = SQL("SELECT source, position FROM source_positions WHERE starts_with(source, ")
        sql.text += sql.bind(prefix) + ")"
        return try await read("read the positions \(prefix)* from") { [sql] connection in
            var positions: [String: String] = [:]
            for row in try await connection.rows(sql, logger: self.logger) {
                let r = RowReader(row, "source_positions", self)
                positions[try r.get("source")] = try r.get("position")
            }
            return positions
        }
    }

    /// Deletes each position whose stored value is still the one given, in one transaction; returns how many.
    public func forgetSourcePositions(_ positions: [String: String]) async throws -> Int {
        guard !positions.isEmpty else { return 0 }
        return try await write("forget old source positions in") { connection in
            var removed = 0
            for (source, position) in positions.sorted(by: { $0.key < $1.key }) {
                var sql = SQL("DELETE FROM source_positions WHERE source = ")
                sql.text += sql.bind(source) + " AND position = " + sql.bind(position) + " RETURNING 1"
                removed += try await connection.rows(sql, logger: self.logger).count
            }
            return removed
        }
    }
}
