import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn` in a process group of its own (id: its pid; `kill(-pid, …)` signals
/// the whole group), its stdin and its stdout+stderr on
/// pipes, with default signal dispositions and an empty signal mask.
///
/// Its own group lets a timeout stop everything it started (`sleep 1000 &`, a pager CLI it forked), which
/// signalling only its pid left running, holding the output pipe and piling up with every retry. The daemon
/// ignores SIGPIPE and its signal handling ignores SIGTERM; ignored dispositions survive `exec`, so without the
/// reset a program would ignore the timeout's SIGTERM and never see a broken pipe.
struct ProcessGroupChild {
    let pid: pid_t
    /// Our end of the program's stdin.
    let input: FileHandle
    /// Our end of the program's stdout and stderr; the caller owns it.
    let output: Int32

    /// Why a program could not be started: `errno`'s code and text.
    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    /// Starts `path` (no PATH search) with `arguments` (argv[1...]) and exactly `environment`.
    static func spawn(path: String, arguments: [String], environment: [String: String]) throws(SpawnError)
        -> ProcessGroupChild
    {
        let stdinPipe = try makePipe()
        let outputPipe: [Int32]
        do {
            outputPipe = try makePipe()
        } catch {
            close(stdinPipe[0])
            close(stdinPipe[1])
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        // Nothing else of the daemon's: a descriptor someone opened without close-on-exec would otherwise leak
        // into the program (Foundation's `Process` closes them the same way). One opened after this listing is
        // missed, and one closed since is harmless: glibc ignores a close action's EBADF.
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        // Group id 0: a new group whose id is the program's pid.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        // The program's ends: ours must go, or the reader never sees end-of-file.
        close(stdinPipe[0])
        close(outputPipe[1])
        guard result == 0 else {
            close(stdinPipe[1])
            close(outputPipe[0])
            throw SpawnError(code: result)
        }
        return ProcessGroupChild(
            pid: pid, input: FileHandle(fileDescriptor: stdinPipe[1], closeOnDealloc: true), output: outputPipe[0])
    }

    /// The process's open descriptors, from `/proc/self/fd`.
    static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// A pipe whose ends are close-on-exec: the program gets only the ends `dup2` gives it, and a program
    /// started meanwhile (another notifier's) does not inherit them and hold our reader open. Glibc's `pipe2`,
    /// which would set the flag atomically, is not visible to Swift without `_GNU_SOURCE`; the window between
    /// `pipe` and `fcntl` is a few instructions.
    static func makePipe() throws(SpawnError) -> [Int32] {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SpawnError(code: errno) }
        for end in ends where fcntl(end, F_SETFD, FD_CLOEXEC) == -1 {
            let code = errno
            close(ends[0])
            close(ends[1])
            throw SpawnError(code: code)
        }
        return ends
    }
}
