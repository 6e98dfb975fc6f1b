import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Waits on a thread of its own for a child to exit, without reaping it: while the exited child is a zombie
/// its pid, which is also its process group's id, cannot be reused, so signalling the group (`kill(-pid, …)`)
/// can never reach an unrelated process. `reap()` collects the exit status once the group needs no more
/// signals.
final class ExitWaiter: Sendable {
    let pid: pid_t
    private let state = Mutex<(exited: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    init(pid: pid_t) {
        self.pid = pid
        // A thread, not a Dispatch worker: it blocks for as long as the program runs.
        Thread.detachNewThread { [self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.exited = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    /// Returns once the child has exited (it is not reaped yet).
    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Bool in
                if s.exited { return true }
                s.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Reaps the exited child: its exit status, or the signal that ended it and `true`.
    func reap() -> (status: Int32, signalled: Bool) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return (-1, false) }
        }
        let signal = status & 0x7f
        return signal == 0 ? ((status >> 8) & 0xff, false) : (signal, true)
    }
}
