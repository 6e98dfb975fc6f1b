import Foundation
import IncidentCore
import Logging
import NIOSSL
import PostgresNIO

/// The PostgreSQL store (SPEC §15): everything the SQLite store holds, in a database several incidentd instances
/// may share. The same ports and the same semantics as `SQLiteStore`; the shared store tests run against both.
///
/// One `PostgresClient` (a connection pool) serves every call; each write is one transaction. Event ids are not
/// drawn from a sequence (whose order is not commit order): a commit takes a transaction-scoped advisory lock
/// and draws them from a counter row, so ids are handed out in commit order, without gaps, and a reader asking
/// for `id > last` cannot skip an event whose transaction committed late.
public final class PostgresStore: IncidentStore, Sendable {
    /// The URL without its password, for messages.
    public let address: String
    let client: PostgresClient
    /// How long one call (a transaction, a read) may take before it fails as `unavailable`.
    let callTimeout: Duration
    /// The most bytes of values one multi-row statement binds (`chunks`).
    let statementBytes: Int
    let runner: Task<Void, Never>
    let logger: Logger
    /// The term this store writes under when it leads (`acquireLeadership`); none until then.
    let fence = Fence()

    /// The advisory lock (transaction scope) that orders event commits, and the one that serialises migrations.
    /// Both are 64-bit keys in `pg_advisory_*`'s single-key space; "incidentd" in ASCII, and a neighbour.
    static let commitOrderLock: Int64 = 0x696E_6369_6465_6E74
    static let migrationLock: Int64 = 0x696E_6369_6465_6E75
    /// The advisory lock that orders relay commits (`relay`), apart from the events' so a standby's relay does not
    /// wait for the leader's commits.
    static let relayOrderLock: Int64 = 0x696E_6369_6465_6E76

    /// Connects to the database at `url` (with `password`, which overrides one in the URL), brings the schema up
    /// to date, and returns the store. Fails with a `StoreError` saying what to do when the server cannot be
    /// reached, refuses the login, or holds a newer schema.
    ///
    /// `idleTransactionTimeout` is PostgreSQL's `idle_in_transaction_session_timeout` for this store's sessions:
    /// a process stopped in the middle of a transaction (SIGSTOP, a frozen VM) holds its locks, the share lock on
    /// the lease row among them, and would keep a standby from taking over; the server ends such a session after
    /// this long.
    public init(
        url: PostgresURL, password: String? = nil, maximumConnections: Int = 8,
        idleTransactionTimeout: Duration = .seconds(60), callTimeout: Duration = .seconds(30),
        statementBytes: Int = maxBindBytesPerStatement, logger: Logger
    ) async throws {
        address = url.display
        self.callTimeout = callTimeout
        precondition(statementBytes > 0, "statementBytes must be positive")
        self.statementBytes = statementBytes
        self.logger = logger
        let secret = password ?? url.password
        var tls = TLSConfiguration.makeClientConfiguration()
        if url.tls != .verifyFull { tls.certificateVerification = .none }
        var configuration: PostgresClient.Configuration
        var direct: PostgresConnection.Configuration
        if let socket = url.socketPath {
            configuration = .init(unixSocketPath: socket, username: url.user, password: secret, database: url.database)
            direct = .init(unixSocketPath: socket, username: url.user, password: secret, database: url.database)
        } else {
            let mode: PostgresClient.Configuration.TLS =
                switch url.tls {
                case .disable: .disable
                case .prefer: .prefer(tls)
                case .require, .verifyFull: .require(tls)
                }
            configuration = .init(
                host: url.host ?? "localhost", port: url.port, username: url.user, password: secret,
                database: url.database, tls: mode)
            let context = url.tls == .disable ? nil : try NIOSSLContext(configuration: tls)
            let directMode: PostgresConnection.Configuration.TLS =
                switch (url.tls, context) {
                case (.prefer, let context?): .prefer(context)
                case (.require, let context?), (.verifyFull, let context?): .require(context)
                default: .disable
                }
            direct = .init(
                host: url.host ?? "localhost", port: url.port, username: url.user, password: secret,
                database: url.database, tls: directMode)
        }
        configuration.options.maximumConnections = max(2, maximumConnections)
        configuration.options.connectTimeout = .seconds(5)
        let idle = String(max(100, Self.microseconds(idleTransactionTimeout) / 1000))
        let parameters = [("application_name", "incidentd"), ("idle_in_transaction_session_timeout", idle)]
        configuration.options.additionalStartupParameters = parameters
        direct.options.connectTimeout = .seconds(10)
        direct.options.additionalStartupParameters = parameters
        // The pool retries a failed connection forever, logging each try: its log is kept to warnings, and the
        // store's own errors say what went wrong.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        self.client = client
        runner = Task { await client.run() }
        // The first connection is made directly, not through the pool, so that a wrong address, user or password
        // fails the start at once with PostgreSQL's reason (the pool would wait and retry); the schema is brought
        // up to date on it.
        do {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: quiet)
            } catch {
                throw storeError(error, doing: "connect to")
            }
            do {
                try await migrate(on: connection)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit { runner.cancel() }

    /// Closes the pool; later calls fail.
    public func close() {
        runner.cancel()
    }

    /// Runs `body` in one transaction, turning database errors into `StoreError`s. When this store leads, the
    /// transaction first checks its term (`fenced`), so a deposed leader writes nothing. A call that does not end
    /// within `callTimeout` fails as `unavailable` (`unbounded`: no limit, for a copy of a whole store).
    func write<T: Sendable>(
        _ doing: String, fenced: Bool = true, unbounded: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        // Past its own deadline a leader writes nothing, and does not wait for the database to say so.
        if fenced { try checkDeadline() }
        return try await bounded(doing, limit: unbounded ? nil : callTimeout) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                if fenced { try await self.checkFence(on: connection) }
                return try await body(connection)
            }
        }
    }

    /// Runs `body` on one pooled connection outside an explicit transaction (each statement its own), within
    /// `callTimeout` as `write`.
    func read<T: Sendable>(
        _ doing: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await bounded(doing, limit: callTimeout) { [client] in
            try await client.withConnection { connection in
                try await body(connection)
            }
        }
    }

    /// Runs `work` and maps its errors; past `limit` it fails as `unavailable` without waiting for `work`, which
    /// is cancelled. The pool can hand out a connection the server has just ended, and a call on it may never
    /// return (postgres-nio 1.33; the next calls get fresh connections): bounded, the store recovers instead of
    /// hanging its caller, the pipeline and shutdown with it.
    func bounded<T: Sendable>(
        _ doing: String, limit: Duration?, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let result: Result<T, any Error>
        if let limit {
            result = await withDeadline(limit, work)
        } else {
            do { result = .success(try await work()) } catch { result = .failure(error) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error as StoreError): throw error
        case .failure(let error as DeadlineExceeded):
            throw StoreError(
                .unavailable, store: address,
                message: "cannot \(doing) the store \(address): it did not answer within \(error.limit)")
        case .failure(let error as PostgresTransactionError):
            throw storeError(error.closureError ?? error.commitError ?? error.beginError ?? error, doing: doing)
        case .failure(let error): throw storeError(error, doing: doing)
        }
    }

    /// An operator-facing error for a failure while `doing` something to the store.
    func storeError(_ error: any Error, doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else {
            return StoreError(.other, store: address, message: "cannot \(doing) the store \(address): \(error)")
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let text = error.serverInfo?[.message] ?? "\(error)"
            switch state {
            case "53100":
                return StoreError(
                    .diskFull, store: address,
                    message: "cannot \(doing) the store \(address): the database server's disk is full (\(text)).")
            case _ where state.hasPrefix("23"):
                return StoreError(
                    .constraint, store: address,
                    message: "the store \(address) refused to \(doing) (\(text)); nothing of it was written. This "
                        + "is a bug in incidentd: please report it with this message.")
            case _ where state.hasPrefix("28"), "3D000", "42501":
                return StoreError(
                    .cannotOpen, store: address,
                    message: "cannot \(doing) the store \(address) (\(text)); check the user, its password "
                        + "(store.postgres.password_file), the database's name and the user's rights on it.")
            case _ where state.hasPrefix("57P"), _ where state.hasPrefix("08"), "40001", "40P01":
                return StoreError(
                    .unavailable, store: address,
                    message: "cannot \(doing) the store \(address): the database server stopped the work "
                        + "(\(state): \(text)); it will be retried.")
            default:
                return StoreError(
                    .other, store: address, message: "cannot \(doing) the store \(address): \(state) \(text)")
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
            .sslUnsupported, .failedToAddSSLHandler:
            let cause = error.underlying.map { " (\($0))" } ?? ""
            return StoreError(
                .unavailable, store: address,
                message: "cannot \(doing) the store \(address): the database server cannot be reached or closed the "
                    + "connection (\(error.code))\(cause); check that PostgreSQL runs and accepts this host.")
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return StoreError(
                .cannotOpen, store: address,
                message: "cannot log in to the store \(address) (\(error.code)); set store.postgres.password_file "
                    + "to a file holding the user's password.")
        default:
            return StoreError(.other, store: address, message: "cannot \(doing) the store \(address): \(error.code)")
        }
    }

    /// A value this build cannot read.
    func corrupt(_ table: String, _ column: String, _ value: String) -> StoreError {
        StoreError(
            .corrupt, store: address,
            message: "the store \(address) holds a value this build cannot read in \(table).\(column): "
                + "\(value.prefix(200)); it was written by another program or version.")
    }
}
