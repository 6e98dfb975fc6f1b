import Synchronization

/// A call that did not end within its limit.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "it did not answer within \(limit)" }
}

/// `work`'s result, or `DeadlineExceeded` once `limit` has passed, whichever comes first.
///
/// `work` runs in a task of its own and is cancelled when the limit passes or the caller is cancelled, but it is
/// not waited for: a call that ignores cancellation (a database connection that never answers) cannot hold its
/// caller. Structured concurrency cannot give that, since a task group awaits its children; this is the one place
/// that steps outside it.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ work: @escaping @Sendable () async throws -> T
) async -> Result<T, any Error> {
    let slot = FirstResult<T>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            slot.set(continuation)
            let task = Task {
                do { slot.resume(.success(try await work())) } catch { slot.resume(.failure(error)) }
            }
            slot.onCancel { task.cancel() }
            Task {
                try? await Task.sleep(for: limit)
                task.cancel()
                slot.resume(.failure(DeadlineExceeded(limit: limit)))
            }
        }
    } onCancel: {
        slot.cancel()
    }
}

/// The first of a call's result and its deadline, handed to the waiting caller once.
private final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, any Error>, Never>?
        var cancelWork: (@Sendable () -> Void)?
        var cancelled = false
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Cancels the work when the caller is cancelled (now, if it already was).
    func onCancel(_ cancel: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            state.cancelWork = cancel
            return state.cancelled
        }
        if now { cancel() }
    }

    func cancel() {
        let work = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            return state.cancelWork
        }
        work?()
    }

    func resume(_ result: Result<T, any Error>) {
        state.withLock { $0.continuation.take() }?.resume(returning: result)
    }
}
