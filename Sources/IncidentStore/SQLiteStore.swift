import Foundation
import GRDB
import IncidentCore
import Synchronization

/// The SQLite store: one file in WAL mode, written by one connection at a time and read by many.
///
/// GRDB's pool is thread-safe, so the store is shared freely between tasks; its async methods run on GRDB's
/// own queues and never block the cooperative thread pool.
public final class SQLiteStore: IncidentStore, Sendable {
    /// How hard SQLite syncs a commit to disk.
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        /// Each commit is fsynced before it returns: it survives `kill -9` and power loss. The default, since an
        /// acknowledged event must never be lost (SPEC §9).
        case full = "FULL"
        /// The WAL is fsynced only at checkpoints: a commit survives `kill -9` of the daemon but the last ones
        /// may be lost when the machine loses power. Faster; for stores on disposable machines.
        case normal = "NORMAL"
    }

    /// The file's path.
    public let path: String
    let pool: DatabasePool
    /// How many rows `events` holds, once `eventCount` has counted them (nil before): kept by the commits and the
    /// purges that change it, on the writer, so that a scrape of `/metrics` does not count the whole table again.
    let eventTotal = Mutex<Int?>(nil)

    /// Opens the store at `path`, creating the file and its parent directories when missing, and brings the
    /// schema up to date.
    public init(path: String, synchronous: Synchronous = .full) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(
                    .cannotCreateDirectory, store: path,
                    message: "cannot create the directory \(directory) for the store \(path) "
                        + "(\(error.localizedDescription)); create it and make it writable by the incidentd user, "
                        + "or set store.sqlite.path or state_dir to a writable place.")
            }
        }
        var configuration = GRDB.Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // Debian's SQLite is built with SECURE_DELETE: every page a transaction frees and does not reuse is
            // overwritten with zeros, in the WAL. Dropping the parts of the last checkpoint (8 MB at 100,000
            // alerts) wrote 8 MB of zeros in the commit carrying the next one's last part. FAST zeroes only what
            // a write rewrites anyway (the b-tree pages it changes) and leaves freed pages as they are
            // (BENCHMARKS.md, issue 16).
            try db.execute(sql: "PRAGMA secure_delete = FAST")
        }
        // A second process (incidentctl reading the file) may hold a lock briefly; wait rather than fail.
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after `prepareDatabase` ran;
            // the pool keeps that one writer for life, so setting it again here is what makes the choice hold.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            }
        } catch {
            throw Self.storeError(error, path: path, doing: "open")
        }
        do {
            let migrator = Self.migrator
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            guard !superseded else {
                throw StoreError(
                    .schemaTooNew, store: path,
                    message: "the store \(path) was written by a newer incidentd whose schema this build does not "
                        + "know; run the newer incidentd, or move the file away to start an empty store.")
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, path: path, doing: "prepare the schema of")
        }
    }

    /// Closes the file; later calls fail. Not needed before exit: the pool closes when the store goes away.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw Self.storeError(error, path: path, doing: "close")
        }
    }

    /// `error` as a `StoreError`: one already is; a database error is described as a failure to `doing` something.
    func storeError(_ error: any Error, doing: String) -> StoreError {
        (error as? StoreError) ?? Self.storeError(error, path: path, doing: doing)
    }

    /// Runs `body` in one write transaction, turning database errors into `StoreError`s.
    func write<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw storeError(error, doing: doing)
        }
    }

    /// Runs `body` on a read-only snapshot, turning database errors into `StoreError`s.
    func read<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw storeError(error, doing: doing)
        }
    }

    /// An operator-facing error for a failure while `doing` something to the store at `path`.
    static func storeError(_ error: any Error, path: String, doing: String) -> StoreError {
        guard let error = error as? DatabaseError else {
            return StoreError(.other, store: path, message: "cannot \(doing) the store \(path): \(error)")
        }
        let sqlite = error.message ?? "\(error.resultCode)"
        switch error.resultCode.primaryResultCode {
        case .SQLITE_NOTADB:
            return StoreError(
                .notADatabase, store: path,
                message: "\(path) is not a SQLite database (\(sqlite)); set store.sqlite.path to another file, "
                    + "or move this one away to start an empty store.")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError(
                .cannotOpen, store: path,
                message: "cannot \(doing) the store \(path) (\(sqlite)); make the file and its directory writable "
                    + "by the incidentd user.")
        case .SQLITE_CORRUPT:
            return StoreError(
                .corrupt, store: path,
                message: "the store \(path) is damaged (\(sqlite)); stop incidentd and restore it from a backup, "
                    + "or move it away to start an empty store.")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(
                .busy, store: path,
                message: "the store \(path) stayed locked by another process (\(sqlite)); make sure only one "
                    + "incidentd uses it.")
        case .SQLITE_FULL:
            return StoreError(
                .diskFull, store: path,
                message: "cannot \(doing) the store \(path): the disk is full (\(sqlite)); free space on it.")
        case .SQLITE_IOERR:
            return StoreError(
                .other, store: path,
                message: "cannot \(doing) the store \(path): the disk failed (\(sqlite)); check the disk and the "
                    + "kernel log.")
        case .SQLITE_CONSTRAINT:
            return StoreError(
                .constraint, store: path,
                message: "the store \(path) refused to \(doing) (\(sqlite)); nothing of it was written. This is a "
                    + "bug in incidentd: please report it with this message.")
        default:
            return StoreError(.other, store: path, message: "cannot \(doing) the store \(path): \(sqlite)")
        }
    }
}
