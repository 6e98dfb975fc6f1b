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

/// The most bytes of values one multi-row statement binds, by default. PostgreSQL refuses a message over 1 GB and
/// postgres-nio builds the whole message in memory first. At the default limits a hostile event binds up to about
/// 2 MB (64 label values of 4 KiB of control characters, each escaped to six bytes in the JSON: 1.7 MB; its 64 KiB
/// of annotations, 0.4 MB), so the 2,300 events the bind limit lets into one statement could pass 1 GB, and every
/// commit of that batch would fail.
public let maxBindBytesPerStatement = 64 << 20

/// `items` cut into pieces small enough that `columns` values per item stay under the bind limit and the bytes
/// they bind (`bytes`: an upper bound per item) under `maxBytes`; an item over `maxBytes` is a piece on its own.
func chunks<T>(_ items: [T], columns: Int, maxBytes: Int = .max, bytes: (T) -> Int = { _ in 0 }) -> [ArraySlice<T>] {
    let most = max(1, maxBindsPerStatement / max(1, columns))
    var pieces: [ArraySlice<T>] = []
    var start = 0
    var total = 0
    for i in items.indices {
        let size = bytes(items[i])
        if i > start, i - start >= most || total > maxBytes - size {
            pieces.append(items[start..<i])
            start = i
            total = 0
        }
        total += size
    }
    if start < items.count { pieces.append(items[start...]) }
    return pieces
}

/// Upper bounds on the bytes a value binds, for `chunks`.
enum BoundBytes {
    /// A string bound as text: a NUL becomes U+FFFD, three bytes for one.
    static func text(_ string: String?) -> Int { 3 * (string?.utf8.count ?? 0) }

    /// `labels.jsonText`: a character escapes to six bytes at worst, and each pair adds quotes, a colon and a comma.
    static func json(_ labels: Labels) -> Int {
        labels.reduce(2) { $0 + 6 * ($1.name.utf8.count + $1.value.utf8.count) + 6 }
    }

    /// The integers, times and short fixed strings of a row.
    static let row = 256
}

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
