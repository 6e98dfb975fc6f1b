import Synchronization

/// A one-shot flag a source raises once it is open (or fails to open), for the daemon to send READY=1 only
/// when every source can take input.
final class ReadySignal: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Result<Void, SourceError>, Never>])
        case done(Result<Void, SourceError>)
    }

    private let state = Mutex<State>(.waiting([]))

    /// Records the outcome; later calls are ignored, so a failure after readiness does not undo it.
    func complete(_ result: Result<Void, SourceError>) {
        let waiters: [CheckedContinuation<Result<Void, SourceError>, Never>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Waits until the source is open; throws the error that kept it from opening.
    func wait() async throws(SourceError) {
        let result = await withCheckedContinuation { continuation in
            let ready: Result<Void, SourceError>? = state.withLock { state in
                switch state {
                case .done(let result): return result
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
        try result.get()
    }
}
