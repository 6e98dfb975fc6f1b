import IncidentCore
import Synchronization

/// Wakes the delivery service early: the pipeline pokes it after a commit that queued messages, a finished
/// delivery after it freed a slot, a shutdown to make it stop. A poke with nobody waiting is kept for the
/// next wait, so none is lost between a check and the sleep. A poke says whether the outbox must be read
/// again (new rows, a changed schedule) or only a slot was freed for rows already read.
///
/// A commit that reports the rows it queued hands them over (`feed`) instead of asking for a read: the delivery
/// starts them as they are, without reading the outbox back (one store read less between an alert and its page).
final class DeliveryWakeup: Sendable {
    private struct State {
        var pending = false
        var reread = false
        var fed: [OutboxEntry] = []
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    /// The most rows kept between two waits, and (`DeliveryService`) the most rows waiting for a slot that handed
    /// over rows may join. More than this (deliveries falling behind a burst of new incidents) and the rows are
    /// dropped for a read of the outbox, which takes a bounded number of due rows per notifier.
    let feedLimit: Int

    init(feedLimit: Int = 512) {
        self.feedLimit = feedLimit
    }

    /// True while the delivery loop is parked in `wait` (tests use it to know a pass is over).
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    func poke(reread: Bool = true) {
        wake { s in if reread { s.reread = true } }
    }

    /// Hands over rows just committed as pending. Nil (the store did not report them) asks for a read instead.
    func feed(_ entries: [OutboxEntry]?) {
        wake { s in
            guard let entries, !s.reread, s.fed.count + entries.count <= feedLimit else {
                s.reread = true
                s.fed = []
                return
            }
            s.fed += entries
        }
    }

    private func wake(_ change: (inout State) -> Void) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            change(&s)
            guard let waiter = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a poke or `limit`, whichever comes first: `reread` when the outbox must be read again (a
    /// poke that asked for it, or the limit), otherwise the rows fed since the last wait (perhaps none).
    @discardableResult
    func wait(upTo limit: Duration) async -> (reread: Bool, fed: [OutboxEntry]) {
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
            defer {
                s.reread = false
                s.fed = []
            }
            // A read takes every due row, the fed ones among them.
            return s.reread ? (true, []) : (false, s.fed)
        }
    }
}
