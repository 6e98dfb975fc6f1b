import Foundation
import IncidentCore
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `incidentd` binary on temporary paths: its own config, rules, store, sockets and spool, and a fake
/// `NOTIFY_SOCKET` that records what it tells systemd.
final class RunningDaemon: @unchecked Sendable {
    let directory: URL
    let configPath: String
    let notify: NotifyListener
    private(set) var process: ChildProcess
    let logPath: String

    var ingestSocket: String { directory.appendingPathComponent("ingest.sock").path }
    var controlSocket: String { directory.appendingPathComponent("control.sock").path }
    var spool: URL { directory.appendingPathComponent("spool") }
    var database: String { directory.appendingPathComponent("state/incidentd.sqlite").path }
    /// The bearer token file written for `http.listen` (mode 0600), and its token.
    var tokenFile: String { directory.appendingPathComponent("http.token").path }
    static let token = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"

    /// Environment variables set for the daemon on top of the test's own.
    let environment: [String: String]
    /// When set, the daemon runs with `WATCHDOG_USEC` of this many microseconds and `WATCHDOG_PID` set to its
    /// own pid, as systemd does (a shell sets it to `$$`, then `exec`s the daemon).
    let watchdogUsec: Int?

    /// Writes a config (plus `extra` YAML appended at top level, and `journal` as `sources.journal`) and starts
    /// the daemon; returns once it said `READY=1`. `notifiers` replaces the default list (file notifiers writing
    /// pages.jsonl) with YAML list items.
    init(
        rules: String? = nil, rulesDirectory: String? = nil, http: String? = nil, notifiers: String? = nil,
        extra: String = "", journal: String = "{ enabled: false }", environment: [String: String] = [:],
        watchdogUsec: Int? = nil, logPath: String? = nil
    ) async throws {
        self.environment = environment
        self.watchdogUsec = watchdogUsec
        directory = try CLI.temporaryDirectory()
        let rulesPath: String
        if let rules {
            let dir = directory.appendingPathComponent("rules")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try rules.write(to: dir.appendingPathComponent("10-test.yaml"), atomically: true, encoding: .utf8)
            rulesPath = dir.path
        } else {
            rulesPath = rulesDirectory ?? CLI.repositoryRoot.appendingPathComponent("rules").path
        }
        configPath = directory.appendingPathComponent("incidentd.yaml").path
        if http != nil {
            let file = directory.appendingPathComponent("http.token").path
            try Self.token.write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o600)
        }
        let config = """
            state_dir: state
            rules: [\(rulesPath)]
            sources:
              journal: \(journal)
              socket: { path: ingest.sock }
              spool: { path: spool }
            http:
              control_socket: control.sock
            \(http.map { "  listen: \($0)\n  token_file: http.token" } ?? "")
            notifiers:
            \(notifiers ?? """
              - { name: oncall, type: file, path: pages.jsonl }
              - { name: team-lead, type: file, path: pages.jsonl }
              - { name: manager, type: file, path: pages.jsonl }
              - { name: security-team, type: file, path: pages.jsonl }
              - { name: lead, type: file, path: pages.jsonl }
              - { name: log, type: journal }
            """)
            \(extra)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        notify = try NotifyListener(path: directory.appendingPathComponent("notify.sock").path)
        self.logPath = logPath ?? directory.appendingPathComponent("incidentd.log").path
        process = ChildProcess()
        try await start()
    }

    /// Starts (or restarts) the binary and waits for `READY=1`, polling the notify listener from a task: nothing
    /// here blocks one of the cooperative threads that every test in the process shares.
    func start(timeout: Duration = .seconds(60)) async throws {
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try logFile.seekToEnd()
        process = ChildProcess()
        let binary = CLI.productsDirectory.appendingPathComponent("incidentd").path
        if let watchdogUsec {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c", "WATCHDOG_PID=$$ WATCHDOG_USEC=\(watchdogUsec) exec \"$0\" \"$@\"", binary, "--config",
                configPath,
            ]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config", configPath]
        }
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["INCIDENTD_CONFIG"] = nil
        environment.merge(self.environment) { _, new in new }
        process.environment = environment
        process.standardOutput = logFile
        process.standardError = logFile
        let readySoFar = notify.messages.filter { $0.contains("READY=1") }.count
        try process.run()
        let process = self.process
        do {
            try await waitUntil("incidentd says READY=1", timeout: timeout) {
                guard process.isRunning else {
                    throw HarnessError("incidentd exited with \(process.terminationStatus) before READY=1:\n\(log())")
                }
                return notify.messages.filter { $0.contains("READY=1") }.count > readySoFar
            }
        } catch let timeout as WaitTimeout {
            throw HarnessError("\(timeout):\n\(log())")
        }
    }

    func log() -> String { Self.log(at: logPath) }

    static func log(at path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Sends a signal and, unless `wait` is false, waits for the process to exit; returns its status.
    ///
    /// The wait is bounded: a daemon that has not exited `exitTimeout` after the signal is a failure of its own
    /// (recorded with every thread's stack, from gdb) and is killed, so a shutdown that hangs fails one test
    /// instead of stalling the whole run.
    @discardableResult
    func signal(
        _ signal: Int32, wait: Bool = true, exitTimeout: Duration = .seconds(120),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> Int32 {
        let process = self.process
        kill(process.processIdentifier, signal)
        guard wait else { return 0 }
        do {
            try await waitUntil("incidentd exits after signal \(signal)", timeout: exitTimeout) { !process.isRunning }
        } catch {
            // A cancelled test is not a daemon that hangs; either way the daemon must not outlive the test.
            if error is WaitTimeout {
                let stacks = await Self.stacks(of: process.processIdentifier)
                let message =
                    "incidentd did not exit within \(exitTimeout) of signal \(signal); killed. Its threads:\n"
                    + "\(stacks)\nIts log:\n\(log().suffix(4000))"
                Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            }
            kill(process.processIdentifier, SIGKILL)
            _ = try? await onOwnThread { process.waitUntilExit() }
        }
        return process.terminationStatus
    }

    /// Every thread's stack of a running process, from `gdb -batch` (or why there is none).
    static func stacks(of pid: Int32) async -> String {
        let gdb = "/usr/bin/gdb"
        guard FileManager.default.isExecutableFile(atPath: gdb) else { return "(gdb is not installed)" }
        // gdb's own errors too (an attach that ptrace refuses says so).
        let out = try? await CLI.runAbsolute(
            "/bin/sh", ["-c", "exec \(gdb) -batch -p \(pid) -ex 'thread apply all bt 30' 2>&1"])
        return String((out?.stdout ?? "(gdb could not be run)").suffix(60_000))
    }

    /// Runs incidentctl against this daemon's control socket.
    func ctl(_ arguments: String...) async throws -> CLI.Output {
        try await CLI.run("incidentctl", arguments + ["--config", configPath])
    }

    /// Reads a JSON API route over the control socket with curl.
    func api(_ path: String, method: String = "GET", body: String? = nil) async throws -> (status: Int, body: String) {
        var args = ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", controlSocket, "-X", method]
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
        args.append("http://localhost\(path)")
        let out = try await CLI.runAbsolute("/usr/bin/curl", args)
        let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        return (status, lines.dropLast().joined(separator: "\n"))
    }

    /// Stops the daemon if the test left it running, then removes its directory at once (a run starts dozens of
    /// daemons; see `ScratchDirectory` for keeping them).
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        ScratchDirectory.remove(directory)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension CLI {
    /// Runs a program by its path on a thread of its own (see `run`), in `/` (every caller passes absolute paths);
    /// standard error is discarded.
    static func runAbsolute(_ path: String, _ arguments: [String]) async throws -> Output {
        try await onOwnThread { try runAbsoluteBlocking(path, arguments) }
    }

    /// `runAbsolute` on the caller's thread, for the few callers that cannot await (a static or a `deinit`).
    static func runAbsoluteBlocking(_ path: String, _ arguments: [String]) throws -> Output {
        try runBlocking(URL(fileURLWithPath: path), arguments, cwd: URL(fileURLWithPath: "/"), keepStandardError: false)
    }
}

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`; a thread collects every message.
final class NotifyListener: Sendable {
    let path: String
    private let fd: Int32
    private let received = MessageLog()

    final class MessageLog: Sendable {
        let entries = Mutex<[(at: ContinuousClock.Instant, text: String)]>([])
        /// Set when the listener goes away; the reading thread then closes the socket itself, so its descriptor
        /// number cannot be reused by another test's socket while the thread still reads it.
        let stopped = Atomic<Bool>(false)
    }

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw HarnessError("cannot bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let socketFD = fd
        let thread = Thread { [received] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            defer { close(socketFD) }
            while !received.stopped.load(ordering: .relaxed) {
                let n = recv(socketFD, &buffer, buffer.count, 0)
                if n > 0 {
                    let text = String(decoding: buffer[0..<n], as: UTF8.self)
                    received.entries.withLock { $0.append((.now, text)) }
                } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    return
                }
            }
        }
        thread.start()
    }

    var messages: [String] { received.entries.withLock { $0.map(\.text) } }
    var timedMessages: [(at: ContinuousClock.Instant, text: String)] { received.entries.withLock { $0 } }

    deinit { received.stopped.store(true, ordering: .relaxed) }
}

/// A client of the NDJSON ingest socket with blocking reads, as a script would be.
/// Sendable by contract: one thread writes, one reads.
final class LineClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `path`; a read waits at most `replyTimeout` seconds for the daemon's next reply.
    init(path: String, replyTimeout: Int = 30) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw HarnessError("cannot connect to \(path): errno \(errno)")
        }
        var timeout = timeval(tv_sec: replyTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes bytes in full; false when the peer is gone.
    @discardableResult
    func write(_ data: [UInt8]) -> Bool {
        var offset = 0
        while offset < data.count {
            let n = data[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ line: String) -> Bool { write(Array((line + "\n").utf8)) }

    /// The next reply line, or nil at EOF, error or timeout.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// `readLine` on a thread of its own, for a test's task: the wait for a reply (a commit away) never holds a
    /// cooperative thread.
    func nextLine() async -> String? {
        (try? await onOwnThread { self.readLine() }) ?? nil
    }

    deinit { close(fd) }
}

/// One alert line in Alertmanager API v2 form.
func alertLine(_ labels: [String: String], annotations: [String: String] = [:], status: String = "firing") -> String {
    let object: [String: Any] = ["labels": labels, "annotations": annotations, "status": status]
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

func jsonObject(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

/// Loads `daemon` from pipelining clients (`clients` connections, `perClient` alerts each, annotated `seq: C-I`),
/// runs `during` meanwhile, and `kill -9`s it once a quarter of the alerts is acknowledged. Returns the
/// acknowledged `seq`s once every client read its socket to the end (replies written before the kill count).
func acknowledgedBeforeKillNine(
    _ daemon: RunningDaemon, clients: Int, perClient: Int, during: () throws -> Void = {}
) async throws -> Set<String> {
    try await acknowledgedAround(
        clients: Array(repeating: daemon, count: clients), perClient: perClient, during: during
    ) { _ = await daemon.signal(SIGKILL) }
}

/// Loads the daemons from pipelining clients (one connection per element of `clients`, to that daemon's socket,
/// `perClient` alerts each, annotated `seq: C-I`), runs `during` meanwhile, and `event` once a quarter of the
/// alerts is acknowledged. Returns the acknowledged `seq`s once every client read its socket to the end or lost
/// it.
func acknowledgedAround(
    clients: [RunningDaemon], perClient: Int, during: () throws -> Void = {}, _ event: () async throws -> Void
) async throws -> Set<String> {
    let acknowledged = Mutex<Set<String>>([])
    let finished = Mutex<Int>(0)
    let threads = clients.enumerated().map { c, daemon in
        Thread {
            defer { finished.withLock { $0 += 1 } }
            // A reply may be long in coming on a loaded machine. Seen on CI: a commit to PostgreSQL timed out
            // after 15 s (its lines were refused), then the engine took 13 s to restore before the next batch;
            // clients that gave up after 30 s ended the load there. 100 s: within the 120 s waits below, so a
            // client never outlives a test that failed.
            guard let client = try? LineClient(path: daemon.ingestSocket, replyTimeout: 100) else { return }
            // Writes run ahead of replies on their own thread, as a pipelining client would.
            let writer = Thread {
                for i in 0..<perClient {
                    let line = alertLine(["alertname": "Load", "client": "c\(c)"], annotations: ["seq": "\(c)-\(i)"])
                    if !client.send(line) { return }
                }
            }
            writer.start()
            for i in 0..<perClient {
                guard let reply = client.readLine() else { return }
                if jsonObject(reply)["ok"] as? Bool == true {
                    _ = acknowledged.withLock { $0.insert("\(c)-\(i)") }
                }
            }
        }
    }
    for thread in threads { thread.start() }
    try during()
    try await waitUntil(
        "a good share of the events is acknowledged", timeout: .seconds(120),
        detail: "acknowledged: \(acknowledged.withLock { $0.count }) of \(clients.count * perClient)\n"
            + Set(clients.map(\.logPath)).sorted().map { "\($0):\n\(String(RunningDaemon.log(at: $0).suffix(3000)))" }
            .joined(separator: "\n")
    ) {
        acknowledged.withLock { $0.count } > clients.count * perClient / 4
    }
    try await event()
    try await waitUntil("every client read to the end of its socket", timeout: .seconds(120)) {
        finished.withLock { $0 } == clients.count
    }
    return acknowledged.withLock { $0 }
}

/// How many times each `seq` annotation is recorded among the store's events.
func recordedSequences(_ store: any IncidentStore) async throws -> [String: Int] {
    var seen: [String: Int] = [:]
    var after: Int64 = 0
    while true {
        let page = try await store.events(after: after, limit: 10_000)
        guard let last = page.last else { break }
        for (_, event) in page { seen[event.annotations["seq"] ?? "", default: 0] += 1 }
        after = last.id
    }
    return seen
}
