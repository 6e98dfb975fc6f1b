import Foundation
import IncidentCore
import PostgresNIO

/// A statement being built: its text and its bound values. `bind` appends a value and returns its placeholder,
/// so text and values cannot drift apart; no value is ever spliced into the text.
struct SQL {
    var text: String
    var binds = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    /// Binds a value and returns its placeholder (`$n`).
    ///
    /// PostgreSQL's text cannot hold a NUL character (SQLite's can): a string with one is bound with U+FFFD in
    /// its place, so a sender's NUL in a title or a timeline line cannot make every commit of its batch fail.
    mutating func bind<T: PostgresEncodable>(_ value: T?) -> String {
        // The encoders of the types bound here (integers, strings, booleans, bytes) cannot fail.
        if let text = value as? String, text.utf8.contains(0) {
            binds.append(text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
        } else if let value {
            try? binds.append(value)
        } else {
            binds.appendNull()
        }
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

/// The most values one statement binds (PostgreSQL allows 65,535): multi-row inserts are cut in chunks below it.
let maxBindsPerStatement = 30_000

extension PostgresConnection {
    /// Runs `sql` and returns its rows, each readable by column name.
    func rows(_ sql: SQL, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await query(sql.query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs `sql` and discards what it returns.
    func run(_ sql: SQL, logger: Logger) async throws {
        _ = try await query(sql.query, logger: logger).collect()
    }

    /// Runs a statement without bound values.
    func run(_ text: String, logger: Logger) async throws {
        _ = try await query(PostgresQuery(unsafeSQL: text), logger: logger).collect()
    }
}

/// Reading one row's columns into Core values; a value that does not decode is reported as `corrupt`.
struct RowReader {
    let row: PostgresRandomAccessRow
    let table: String
    let store: PostgresStore

    init(_ row: PostgresRandomAccessRow, _ table: String, _ store: PostgresStore) {
        self.row = row
        self.table = table
        self.store = store
    }

    func get<T: PostgresDecodable>(_ column: String, _ type: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw store.corrupt(table, column, "(missing column)") }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw store.corrupt(table, column, "\(error)")
        }
    }

    func int(_ column: String) throws -> Int { Int(try get(column, Int64.self)) }

    func optionalInt(_ column: String) throws -> Int? { try get(column, Int64?.self).map(Int.init) }

    func time(_ column: String) throws -> Timestamp { Timestamp(microseconds: try get(column, Int64.self)) }

    func optionalTime(_ column: String) throws -> Timestamp? {
        try get(column, Int64?.self).map(Timestamp.init(microseconds:))
    }

    func labels(_ column: String) throws -> Labels {
        let text = try get(column, String.self)
        if let labels = Labels(jsonText: text) { return labels }
        do {
            return try JSONDecoder().decode(Labels.self, from: Data(text.utf8))
        } catch {
            throw store.corrupt(table, column, text)
        }
    }

    func value<E: RawRepresentable>(_ column: String) throws -> E where E.RawValue == String {
        let text = try get(column, String.self)
        guard let value = E(rawValue: text) else { throw store.corrupt(table, column, text) }
        return value
    }
}
