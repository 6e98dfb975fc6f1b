import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Work that runs for a long time without suspending, on a thread of its own at a lower scheduling priority.
///
/// The timed checkpoint's encoding takes 0.4–0.5 s of CPU at 100,000 alerts. As a task it held one of the
/// cooperative pool's threads (as many as there are cores, two on the benchmark machine) for all of that, and
/// the pipeline, the connection handlers and the commits took turns on the other: the event latency rose in the
/// second before each checkpoint (BENCHMARKS.md, issue 16). On its own thread, 10 nicer than the daemon, it takes
/// what the rest of the daemon leaves, and its CPU time, which sets the checkpoints' spacing, is unchanged.
enum BackgroundThread {
    /// How much nicer than the daemon the thread runs (up to 19): Linux gives a thread 10 nicer about a tenth of
    /// the CPU of the other when they compete for a core, and all of it when they do not.
    static let nicer: Int32 = 10

    /// Runs `body` on a new thread named `name` (up to 15 bytes, as `top -H` shows it). Where no thread can be
    /// made (`pthread_create` fails: a thread limit), it runs on the caller's instead, so that the work is never
    /// lost: Foundation's `Thread` ignores that failure, and its body would never run.
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let work = Work(name: name) { continuation.resume(returning: body()) }
            #if canImport(Glibc)
                let context = Unmanaged.passRetained(work).toOpaque()
                var thread = pthread_t()
                let started = pthread_create(
                    &thread, nil,
                    { context in
                        let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
                        BackgroundThread.prepareThisThread(name: work.name)
                        work.body()
                        return nil
                    }, context)
                if started == 0 {
                    pthread_detach(thread)
                    return
                }
                Unmanaged<Work>.fromOpaque(context).release()
            #endif
            work.body()
        }
    }

    private final class Work: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Names the calling thread and makes it `nicer` than it was. Linux keeps a niceness per thread, and `who` 0
    /// names the calling one (setpriority(2), "Bugs"); a failure leaves it as it was.
    static func prepareThisThread(name: String) {
        #if canImport(Glibc)
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            if fd >= 0 {
                let bytes = Array(name.utf8.prefix(15))
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
            if let current = currentNiceness(), current < 19 {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + nicer))
            }
        #endif
    }

    /// The calling thread's niceness, or nil where it cannot be read.
    static func currentNiceness() -> Int32? {
        #if canImport(Glibc)
            // -1 is both a niceness and the error return: errno tells them apart.
            errno = 0
            let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            return value == -1 && errno != 0 ? nil : value
        #else
            return nil
        #endif
    }
}
