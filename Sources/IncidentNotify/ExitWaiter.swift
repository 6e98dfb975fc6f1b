import Synchronization

/// Bridges `Process.terminationHandler`, which runs on a Foundation thread, to an `await`.
final class ExitWaiter: Sendable {
    private let state = Mutex<(result: (Int32, Bool)?, waiter: CheckedContinuation<(Int32, Bool), Never>?)>((nil, nil))

    func finish(status: Int32, signalled: Bool) {
        let waiter = state.withLock { s -> CheckedContinuation<(Int32, Bool), Never>? in
            s.result = (status, signalled)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: (status, signalled))
    }

    /// The exit status (or signal) and whether it was a signal.
    func wait() async -> (Int32, Bool) {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> (Int32, Bool)? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
