import Foundation
import GRDB
import IncidentCore

extension SQLiteStore {
    /// Rows of one of `StoreCopyTables`, by rowid after `rowid`, at most `limit`: what `incidentctl store copy`
    /// reads. The table and column names come from `StoreCopyTables`, never from input.
    public func exportRows(_ table: String, columns: [String], after rowid: Int64, limit: Int) async throws
        -> [(rowid: Int64, values: [ColumnValue])]
    {
        guard StoreCopyTables.all.contains(where: { $0.table == table && $0.columns == columns }) else {
            throw StoreError(.other, store: path, message: "\(table) is not a table a store copy moves")
        }
        let sql =
            "SELECT rowid, \(columns.joined(separator: ", ")) FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?"
        return try await read("read \(table) from") { db in
            try Row.fetchAll(db, sql: sql, arguments: [rowid, limit]).map { row in
                let values = row.databaseValues.dropFirst().map { value -> ColumnValue in
                    switch value.storage {
                    case .null: .null
                    case .int64(let n): .integer(n)
                    case .double(let d): .real(d)
                    case .string(let s): .text(s)
                    case .blob(let b): .blob(b)
                    }
                }
                return (rowid: row[0], values: Array(values))
            }
        }
    }
}
