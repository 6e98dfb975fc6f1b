import ArgumentParser
import Foundation
import IncidentCore
import IncidentPostgres
import IncidentStore
import Logging

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a store's history: from a single host's SQLite file into PostgreSQL.",
        subcommands: [StoreCopy.self]
    )
}

struct StoreCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy everything a SQLite store holds into an empty PostgreSQL database (SPEC §15).",
        discussion: """
            Events, incidents with their alerts, timelines and notes, the outbox (delivered and pending pages, so \
            nothing is paged twice), the engine's checkpoint (open incidents' timers, silences), source positions \
            (the journal cursor) and the knowledge base are copied with their ids, in one transaction: all or \
            nothing. The target must hold no event and no incident, and no incidentd may be running on either \
            store: stop the daemon first, then set store.postgres in its config and start it again. The schema of \
            the target is created or brought up to date first. The password comes from --password-file (its first \
            line), never from the command line.
            Example:
              incidentctl store copy --from sqlite:/var/lib/incidentd/incidentd.sqlite \\
                --to postgres://incidentd@db1/incidentd --password-file /etc/incidentd/pgpass
            """
    )

    @Option(help: "The SQLite store to read: sqlite:PATH.")
    var from: String

    @Option(help: "The PostgreSQL database to fill: postgres://USER@HOST[:PORT]/DATABASE[?sslmode=...].")
    var to: String

    @Option(help: "A file whose first line is the PostgreSQL user's password.")
    var passwordFile: String?

    var sqlitePath: String { String(from.dropFirst("sqlite:".count)) }

    func validate() throws {
        guard from.hasPrefix("sqlite:"), !sqlitePath.isEmpty else {
            throw ValidationError("--from must be sqlite:PATH, the SQLite store to copy")
        }
        if case .failure(let error) = PostgresURL.parse(to) { throw ValidationError("--to: \(error.message)") }
    }

    func run() async throws {
        guard FileManager.default.fileExists(atPath: sqlitePath) else {
            throw CommandFailure(message: "there is no SQLite store at \(sqlitePath)")
        }
        guard case .success(let url) = PostgresURL.parse(to) else { return }
        let password = try passwordFile.map(Self.readPassword)
        var logger = Logger(label: "incidentctl")
        logger.logLevel = .error
        do {
            let source = try SQLiteStore(path: sqlitePath)
            let target = try await PostgresStore(url: url, password: password, logger: logger)
            defer { target.close() }
            let counts = try await target.importStore { table, columns, after in
                let rows = try await source.exportRows(table, columns: columns, after: after, limit: 2000)
                return (rows: rows.map(\.values), last: rows.last?.rowid ?? after)
            }
            let summary = StoreCopyTables.all.map { "\(counts[$0.table] ?? 0) \($0.table)" }
            print("copied \(sqlitePath) into \(url.display): " + summary.joined(separator: ", "))
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
    }
}

extension StoreCopy {
    /// The first line of a password file (`--password-file`), as the daemon reads `store.postgres.password_file`.
    static func readPassword(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } catch {
            throw CommandFailure(message: "cannot read the password file \(path): \(error.localizedDescription)")
        }
    }
}
