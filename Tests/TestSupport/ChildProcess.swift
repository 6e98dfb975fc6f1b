import Foundation
import Synchronization

/// A child process for the tests, started with `posix_spawn` and waited for by a thread of its own: what the tests
/// used Foundation's `Process` for, with the same names.
///
/// Foundation's `Process.run()` reads `/proc/self/fd` to find the highest open descriptor, and copies each entry's
/// name as the whole 256-byte `d_name` field, past the end of the short record readdir returned
/// (swift-corelibs-foundation#5472, not in this toolchain). With about 1,360 descriptors open, the test process's
/// peak while the suite runs in parallel, the last record reaches the end of readdir's 32 KiB buffer, and the copy
/// can run into an unmapped page: the whole test process crashed (SIGSEGV in `__memmove_avx512_unaligned_erms`,
/// called from `findMaximumOpenFromProcSelfFD`, in a CI run of issue 16). Nothing here reads that directory: the
/// child closes every descriptor above 2 with `posix_spawn_file_actions_addclosefrom_np`, as `PostgresCluster` does.
public final class ChildProcess: Sendable {
    /// What a child's standard input, output or error is: a pipe's end (the one the child needs), or a handle.
    public enum Stream: Sendable {
        case pipe(Pipe)
        case handle(FileHandle)
    }

    private struct Setup: Sendable {
        var executableURL: URL?
        var arguments: [String] = []
        var environment: [String: String]?
        var currentDirectoryURL: URL?
        var standardInput: Stream?
        var standardOutput: Stream?
        var standardError: Stream?
        var terminationHandler: (@Sendable (ChildProcess) -> Void)?
    }

    private struct State: Sendable {
        var pid: pid_t = 0
        var status: Int32?
    }

    private let setup = Mutex(Setup())
    private let state = Mutex(State())
    private let exited = NSCondition()

    public init() {}

    public var executableURL: URL? {
        get { setup.withLock { $0.executableURL } }
        set { setup.withLock { $0.executableURL = newValue } }
    }

    public var arguments: [String] {
        get { setup.withLock { $0.arguments } }
        set { setup.withLock { $0.arguments = newValue } }
    }

    /// The child's whole environment; nil passes this process's on.
    public var environment: [String: String]? {
        get { setup.withLock { $0.environment } }
        set { setup.withLock { $0.environment = newValue } }
    }

    public var currentDirectoryURL: URL? {
        get { setup.withLock { $0.currentDirectoryURL } }
        set { setup.withLock { $0.currentDirectoryURL = newValue } }
    }

    /// A `Pipe` or a `FileHandle`; nil is /dev/null, as with `Process`.
    public var standardInput: Any? {
        get { setup.withLock { $0.standardInput } }
        set { setup.withLock { $0.standardInput = Self.stream(newValue) } }
    }

    public var standardOutput: Any? {
        get { setup.withLock { $0.standardOutput } }
        set { setup.withLock { $0.standardOutput = Self.stream(newValue) } }
    }

    public var standardError: Any? {
        get { setup.withLock { $0.standardError } }
        set { setup.withLock { $0.standardError = Self.stream(newValue) } }
    }

    /// Called once, on the waiting thread, when the child has exited.
    public var terminationHandler: (@Sendable (ChildProcess) -> Void)? {
        get { setup.withLock { $0.terminationHandler } }
        set { setup.withLock { $0.terminationHandler = newValue } }
    }

    private static func stream(_ value: Any?) -> Stream? {
        switch value {
        case let pipe as Pipe: .pipe(pipe)
        case let handle as FileHandle: .handle(handle)
        case nil: nil
        default: preconditionFailure("a child's stream is a Pipe or a FileHandle, not \(type(of: value!))")
        }
    }

    /// 0 before `run`.
    public var processIdentifier: Int32 { state.withLock { $0.pid } }

    public var isRunning: Bool { state.withLock { $0.pid != 0 && $0.status == nil } }

    /// The exit code, or the number of the signal that ended the child (as Foundation's `Process` reports it).
    public var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.status }) else {
            preconditionFailure("terminationStatus of a child that has not exited")
        }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : status & 0x7F
    }

    /// Whether the child ended by a signal rather than by exiting.
    public var endedBySignal: Bool { state.withLock { ($0.status ?? 0) & 0x7F != 0 } }

    /// Starts the child. The child's ends of the pipes it was given are closed here once it has them, so a reader
    /// of its output sees the end when the child (and whatever it started) closes them.
    public func run() throws {
        let setup = self.setup.withLock { $0 }
        guard let executable = setup.executableURL?.path else { throw ChildProcessError("no executable to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentCloses: [FileHandle] = []
        for (target, stream) in [(Int32(0), setup.standardInput), (1, setup.standardOutput), (2, setup.standardError)] {
            switch stream {
            case .pipe(let pipe):
                let end = target == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, target)
                parentCloses.append(end)
            case .handle(let handle):
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            case nil:
                // As `Process` does: no stream given is /dev/null, not this process's own.
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        if let directory = setup.currentDirectoryURL?.path {
            guard Self.addChdir(&actions, directory) else {
                throw ChildProcessError("cannot start \(executable) in \(directory): no addchdir_np")
            }
        }
        // Nothing else of this process: tests start children concurrently, and a descriptor another test had open
        // (a pipe's write end) would live on in this child and keep that test's reader from seeing its end.
        Self.closeFrom3(&actions)

        let all = [executable] + setup.arguments
        let cArguments = all.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let environment = (setup.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer { for entry in cEnvironment { free(entry) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        Self.defaultSignals(&attributes)
        // A process group of its own, as `Process` gives each child.
        posix_spawnattr_setpgroup(&attributes, 0)
        var flags: Int16 = 0
        posix_spawnattr_getflags(&attributes, &flags)
        posix_spawnattr_setflags(&attributes, flags | Int16(POSIX_SPAWN_SETPGROUP))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        let child = pid
        state.withLock { $0.pid = child }
        for end in parentCloses { try? end.close() }
        Thread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            exited.lock()
            state.withLock { $0.status = status }
            exited.broadcast()
            exited.unlock()
            setup.terminationHandler?(self)
        }.start()
    }

    /// Blocks until the child has exited.
    public func waitUntilExit() {
        exited.lock()
        while state.withLock({ $0.pid != 0 && $0.status == nil }) { exited.wait() }
        exited.unlock()
    }

    /// SIGTERM.
    public func terminate() {
        let pid = processIdentifier
        if pid != 0, isRunning { kill(pid, SIGTERM) }
    }

    /// Every signal at its default action and none blocked in the child, as a shell or systemd starts a program:
    /// without it the child kept what the test process ignores (SIGPIPE) and the mask of the thread that spawned
    /// it (most signals, SIGTERM among them), and a daemon under test ran with what no operator's service has.
    /// (Foundation's `Process` did not reset them either.)
    static func defaultSignals(_ attributes: inout posix_spawnattr_t) {
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    /// `posix_spawn_file_actions_addclosefrom_np(actions, 3)` (glibc 2.34), which Swift's Glibc module does not
    /// declare; without it, a close action for each descriptor open now.
    static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd >= 3 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29), looked up as `closeFrom3` looks up its own.
    private static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ path: String) -> Bool {
        typealias Actions = UnsafeMutablePointer<posix_spawn_file_actions_t>
        typealias AddChdir = @convention(c) (Actions, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return false }
        return unsafeBitCast(symbol, to: AddChdir.self)(&actions, path) == 0
    }
}

/// Why a child could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
