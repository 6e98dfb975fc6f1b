import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster for the tests of one process: made with `initdb` in a fresh directory under
/// the temporary directory, started with `pg_ctl` on a random loopback port, stopped and removed at exit. No
/// system service is used or needed; `scripts/setup` installs Debian's `postgresql` for the binaries.
///
/// As root (CI), the cluster runs as the `postgres` user, since PostgreSQL refuses to run as root; otherwise as
/// the user running the tests. Each test takes its own database (`makeDatabase`), so tests run in parallel.
public final class PostgresCluster: Sendable {
    /// The superuser the tests connect as (trust authentication on loopback).
    public static let user = "incidentd"

    public let directory: String
    public let port: Int
    public let binaries: String
    private let owner: String?

    /// The one cluster of this process, started on first use. A failure to start is a test failure with
    /// PostgreSQL's own words, not a skip: the README's test command installs PostgreSQL.
    public static let shared: Result<PostgresCluster, any Error> = Result { try PostgresCluster() }

    /// The shared cluster, or a thrown error saying why it could not start. Awaited on a thread of its own, as is
    /// everything here that runs a PostgreSQL program: the first caller runs `initdb` and `pg_ctl` (seconds), and
    /// the callers beside it wait in the lazy initializer; none of that may hold a cooperative thread.
    public static func start() async throws -> PostgresCluster { try await onOwnThread { try shared.get() } }

    /// A cluster of its own, for a test that stops or restarts the server: the shared one serves tests running
    /// in parallel. Stopped and removed at exit like the shared one.
    public static func makePrivate() async throws -> PostgresCluster { try await onOwnThread { try PostgresCluster() } }

    /// Every cluster this process started, stopped at exit.
    private static let started = Mutex<[PostgresCluster]>([])

    private init() throws {
        guard let binaries = Self.findBinaries() else {
            throw PostgresClusterError(
                "PostgreSQL's binaries are not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/setup, "
                    + "which installs Debian's postgresql package")
        }
        self.binaries = binaries
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "incidentd-test-pg-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        directory = base
        owner = getuid() == 0 ? "postgres" : nil
        if let owner {
            guard let account = getpwnam(owner) else {
                throw PostgresClusterError("running as root, but there is no \(owner) user to run PostgreSQL as")
            }
            guard chown(base, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw PostgresClusterError("cannot give \(base) to \(owner): errno \(errno)")
            }
        }
        port = try Self.freePort()
        try run(
            "initdb", ["-D", base + "/data", "-A", "trust", "-U", Self.user, "-E", "UTF8", "--locale=C", "--no-sync"])
        try restart()
        let first = Self.started.withLock { clusters in
            clusters.append(self)
            return clusters.count == 1
        }
        if first { atexit { PostgresCluster.stopAll() } }
    }

    /// A fresh, empty database owned by the tests' user; returns its name.
    public func makeDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await psql("CREATE DATABASE \(name)")
        return name
    }

    /// The URL of `database` for `store.postgres.url` and `PostgresURL.parse`.
    public func url(_ database: String) -> String {
        "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs one SQL command with psql against `database`; returns its unaligned output.
    @discardableResult
    public func psql(_ command: String, database: String = "postgres") async throws -> String {
        try await onOwnThread { try self.psqlBlocking(command, database: database) }
    }

    private func psqlBlocking(_ command: String, database: String) throws -> String {
        try capture(
            binaries + "/psql",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.user, "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1",
                "-c", command,
            ])
    }

    /// Stops the server (fast shutdown), or kills it at once with `immediate`, as a crash would.
    public func stop(immediate: Bool = false) throws {
        try run(
            "pg_ctl", ["-D", directory + "/data", "-w", "-t", "120", "-m", immediate ? "immediate" : "fast", "stop"])
    }

    /// Starts the server (again, after `stop`) on its port. fsync is off: the tests kill processes, not the
    /// machine, and the page cache keeps what a killed server wrote.
    public func restart() throws {
        let options = [
            "-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1", "-c max_connections=300",
            "-c fsync=off", "-c shared_buffers=32MB",
        ].joined(separator: " ")
        try run(
            "pg_ctl",
            ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "120", "-o", options, "start"])
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        _ = try capture(binaries + "/" + tool, arguments)
    }

    private func capture(_ program: String, _ arguments: [String]) throws -> String {
        let argv = owner.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
        // A blocking wait (`ChildProcess`): Foundation's Process left `runuser` unreaped after `pg_ctl start` and
        // never returned. Output goes to a file, not a pipe: the server pg_ctl starts would inherit a pipe's write
        // end, and reading to its end would wait for the server to exit. The child gets no other descriptor of
        // this process: one another test had open (a pipe to its `systemd-journal-remote`) went on living in the
        // server, and that reader never saw the end of its input.
        let outputPath = directory + "/output-\(UUID().uuidString)"
        defer { unlink(outputPath) }
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else { throw PostgresClusterError("cannot create \(outputPath)") }
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: argv[0])
        child.arguments = Array(argv.dropFirst()) + arguments
        child.standardOutput = output
        child.standardError = output
        do {
            try child.run()
        } catch {
            try? output.close()
            throw PostgresClusterError("cannot start \(argv[0]): \(error)")
        }
        try? output.close()
        child.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard !child.endedBySignal, child.terminationStatus == 0 else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            let how = child.endedBySignal ? "signal \(child.terminationStatus)" : "status \(child.terminationStatus)"
            throw PostgresClusterError(
                "\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed "
                    + "(\(how)): \(text)\nserver log:\n\(log.suffix(2000))")
        }
        return text
    }

    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first {
            FileManager.default.isExecutableFile(atPath: $0 + "/initdb")
        }
    }

    /// A loopback port nothing listens on now: the kernel's choice for a socket bound to port 0.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresClusterError("cannot make a socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw PostgresClusterError("cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops every cluster this process started and removes its directory (kept with INCIDENTD_KEEP_TEST_DIRS).
    private static func stopAll() {
        for cluster in started.withLock({ $0 }) {
            try? cluster.stop(immediate: true)
            if !ScratchDirectory.keep { try? FileManager.default.removeItem(atPath: cluster.directory) }
        }
    }
}

/// Why the test cluster could not be made, started or used.
public struct PostgresClusterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
    init(_ description: String) { self.description = description }
}
