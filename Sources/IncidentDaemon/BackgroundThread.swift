import Foundation

/// Work that runs for a long time without suspending, on a thread of its own at a lower scheduling priority.
///
/// The timed checkpoint's encoding takes 0.4–0.6 s of CPU at 100,000 alerts. As a task it held one of the
/// cooperative pool's threads (as many as there are cores, two on the benchmark machine) for all of that, and
/// the pipeline, the connection handlers and the commits took turns on the other: the event latency rose in the
/// second before each checkpoint (BENCHMARKS.md, issue 16). On its own thread at nice 10 it takes what the rest
/// of the daemon leaves, and its CPU time, which sets the checkpoints' spacing, is unchanged.
enum BackgroundThread {
    /// The niceness the thread runs at: Linux gives a nice-10 thread about a tenth of the CPU a nice-0 one gets
    /// when they compete for a core, and all of it when they do not.
    static let niceness: Int32 = 10

    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // Named from inside: set before `start`, Foundation keeps the name to itself on Linux, and the
                // kernel's (what `top -H` shows) stays the creating thread's.
                Thread.current.name = name
                // Linux keeps a niceness per thread, and `who` 0 names the calling one (setpriority(2), "Bugs"); a
                // failure leaves it at the default.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                continuation.resume(returning: body())
            }
            thread.start()
        }
    }

    /// The calling thread's niceness (tests).
    static func currentNiceness() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }
}
