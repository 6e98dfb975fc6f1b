import Synchronization

/// Wakes the delivery service early: the pipeline pokes it after a commit that queued messages, a finished
/// delivery after it freed a slot, a shutdown to make it stop. A poke with nobody waiting is kept for the
/// next wait, so none is lost between a check and the sleep. A poke says whether the outbox must be read
/// again (new rows, a changed schedule) or only a slot was freed for rows already read.
final class DeliveryWakeup: Sendable {
    private let state = Mutex<(pending: Bool, reread: Bool, waiter: CheckedContinuation<Void, Never>?)>(
        (false, false, nil))

    init() {}

    func poke(reread: Bool = true) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if reread { s.reread = true }
            guard let waiter = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a poke or `limit`, whichever comes first: true when the outbox must be read again (a
    /// poke that asked for it, or the limit).
    @discardableResult
    func wait(upTo limit: Duration) async -> Bool {
        let timer = Task { [self] in
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { poke() }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    s.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            poke()
        }
        timer.cancel()
        return state.withLock { s in
            defer { s.reread = false }
            return s.reread
        }
    }
}
