import GRDB

extension SQLiteStore {
    /// Every committed source position whose key starts with `prefix` (the spool's `spool:NAME` rows), by key.
    public func sourcePositions(withPrefix prefix: String) async throws -> [String: String] {
        try await read("read the positions \(prefix)* from") { db in
            // substr, not LIKE: a file name may hold '%' or '_', and LIKE ignores case.
            let rows = try Row.fetchAll(
                db, sql: "SELECT source, position FROM source_positions WHERE substr(source, 1, ?) = ?",
                arguments: [prefix.utf8.count, prefix])
            var positions: [String: String] = [:]
            for row in rows { positions[row["source"]] = row["position"] }
            return positions
        }
    }

    /// Deletes each position whose stored value is still the one given, in one transaction; a position committed
    /// again meanwhile (a file of that name ingested since it was read) stays. Returns how many were deleted.
    public func forgetSourcePositions(_ positions: [String: String]) async throws -> Int {
        try await write("forget old source positions in") { db in
            var removed = 0
            for (source, position) in positions {
                try db.execute(
                    sql: "DELETE FROM source_positions WHERE source = ? AND position = ?",
                    arguments: [source, position])
                removed += db.changesCount
            }
            return removed
        }
    }
}
