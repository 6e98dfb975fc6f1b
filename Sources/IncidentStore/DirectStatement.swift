import Foundation
import GRDB
import GRDBSQLite
import IncidentCore

/// One of the commit's cached statements, bound by type and run through SQLite's C API.
///
/// GRDB's `execute(arguments:)` takes its values as `StatementArguments`, an array of existentials, and binds them
/// by nesting one closure per value. With the retains and releases around it, that was about 15% of the daemon's
/// CPU on the journal path, where a commit inserts one event row per line and updates an alert and an incident
/// per fingerprint (BENCHMARKS.md, issue 16). The statements the commit runs per event, alert or incident bind
/// here instead: integers as they are, strings copied by SQLite (`SQLITE_TRANSIENT`).
///
/// `Statement.sqliteStatement` is GRDB's documented way to the C API. What GRDB does around its own execution and
/// this skips: transaction observers and the database regions it records for them (the store registers no
/// observer), and the autocommit check (these statements run inside the commit's transaction, never begin or end
/// one). The statement is reset before its first binding and after every run; a failed
/// step or binding throws the `DatabaseError` GRDB would, and the transaction rolls back as before.
struct DirectStatement {
    private let statement: Statement
    private var index: Int32 = 1
    private var bindingFailure: Int32?
    /// The bytes of the value being bound, for text the statement writes itself; its capacity is kept across rows.
    private var scratch: [UInt8] = []

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        // GRDB resets a statement before it binds, not after it runs: one GRDB ran last (the delivery's timeline
        // line shares its SQL with the commit's) is still stepped, and SQLite refuses bindings to it.
        reset(statement.sqliteStatement)
    }

    mutating func bind(_ value: Int64) {
        record(sqlite3_bind_int64(statement.sqliteStatement, index, value))
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            // Up to the first NUL, as GRDB binds a string (a C string, length -1) and so as the store has always held
            // one: a timeline line replayed after an upgrade must be the same text to be recognised as a repeat.
            let length =
                bytes.baseAddress.flatMap { base in
                    memchr(base, 0, bytes.count).map { UnsafeRawPointer(base).distance(to: $0) }
                } ?? bytes.count
            bind(text: UnsafeBufferPointer(rebasing: bytes[..<length]), destructor: DirectStatement.transient)
        }
    }

    /// `labels.jsonText`, written into the statement's buffer and bound from there: no `String` is made of it.
    /// The text holds no NUL (a control character is escaped), so the whole of it is what GRDB would bind.
    mutating func bind(json labels: Labels) {
        scratch.removeAll(keepingCapacity: true)
        labels.appendJSON(to: &scratch)
        bindScratch()
    }

    /// `fingerprint.description`, the same way.
    mutating func bind(_ fingerprint: Fingerprint) {
        scratch.removeAll(keepingCapacity: true)
        fingerprint.appendHex(to: &scratch)
        bindScratch()
    }

    /// Binds the buffer's bytes as text; SQLite copies them, so the buffer is free for the next value at once.
    private mutating func bindScratch() {
        let scratch = scratch
        scratch.withUnsafeBufferPointer { bind(text: $0, destructor: DirectStatement.transient) }
    }

    /// Binds UTF-8 text that holds no NUL byte (JSON, hex digits) without a copy: SQLite reads the bytes where they
    /// are when the statement runs. The caller keeps them alive and unchanged until `run()` returns or throws (it
    /// resets the statement and clears its bindings); a statement left bound and never run again never reads them.
    mutating func bind(unsafeText bytes: UnsafeBufferPointer<UInt8>) {
        bind(text: bytes, destructor: nil)
    }

    /// Binds `bytes` whole as text; SQLite copies them first with `transient`, reads them in place with nil.
    private mutating func bind(text bytes: UnsafeBufferPointer<UInt8>, destructor: sqlite3_destructor_type?) {
        let handle = statement.sqliteStatement
        let code: Int32
        if bytes.count > Int32.max {
            code = SQLITE_TOOBIG
        } else if let base = bytes.baseAddress, !bytes.isEmpty {
            code = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), destructor)
            }
        } else {
            // An empty buffer may have no address, and a null pointer would bind NULL, not ''.
            code = sqlite3_bind_text(handle, index, "", 0, DirectStatement.transient)
        }
        record(code)
    }

    mutating func bind(_ value: Int64?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: Int?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bind(_ value: String?) {
        if let value { bind(value) } else { bindNull() }
    }

    mutating func bindNull() {
        record(sqlite3_bind_null(statement.sqliteStatement, index))
    }

    /// Runs the statement with the values bound since the last run, one for each of its parameters.
    mutating func run() throws {
        let handle = statement.sqliteStatement
        let bound = index - 1
        let failure = bindingFailure
        index = 1
        bindingFailure = nil
        if let failure {
            reset(handle)
            throw DatabaseError(
                resultCode: ResultCode(rawValue: failure), message: "cannot bind a value", sql: statement.sql)
        }
        guard bound == sqlite3_bind_parameter_count(handle) else {
            reset(handle)
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "\(bound) values for \(sqlite3_bind_parameter_count(handle)) parameters", sql: statement.sql)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            if code == SQLITE_ROW { continue }
            let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) }
            // Reset, so that the cache can hand the statement out again.
            reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        reset(handle)
    }

    private func reset(_ handle: OpaquePointer) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private mutating func record(_ code: Int32) {
        if code != SQLITE_OK, bindingFailure == nil { bindingFailure = code }
        index += 1
    }

    /// SQLite copies the value before the bind returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
