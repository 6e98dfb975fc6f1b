import Synchronization

/// A one-shot promise: completed once (later completions are ignored), awaited by any number of tasks, before
/// or after it completes. `IngestTicket` (a submission's commit) and the sources' readiness signal are both one.
public final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case pending([CheckedContinuation<Value, Never>])
        case done(Value)
    }

    private let state = Mutex<State>(.pending([]))

    public init() {}

    /// Completes with `value` and wakes every waiter; returns false (and changes nothing) when already complete.
    @discardableResult
    public func complete(_ value: Value) -> Bool {
        let waiters: [CheckedContinuation<Value, Never>]? = state.withLock { state in
            guard case .pending(let waiters) = state else { return nil }
            state = .done(value)
            return waiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: value) }
        return true
    }

    /// Whether it has been completed.
    public var isComplete: Bool {
        state.withLock { if case .done = $0 { true } else { false } }
    }

    /// The value, once completed.
    public func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = state.withLock { state in
                switch state {
                case .done(let value): return value
                case .pending(var waiters):
                    waiters.append(continuation)
                    state = .pending(waiters)
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
