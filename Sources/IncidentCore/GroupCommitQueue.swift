import Synchronization

/// Group commit: callers hand in one item each and wait for its result; the first caller starts a run of
/// `body` over every item handed in so far, and items that arrive while it runs wait for the next run. A burst
/// of N items costs a few runs (transactions, fsyncs), not N, and no item waits for more than the run before
/// its own.
public final class GroupCommitQueue<Item: Sendable, Output: Sendable>: Sendable {
    private let state = Mutex<(waiting: [(item: Item, done: CheckedContinuation<Output, Never>)], running: Bool)>(
        ([], false))
    private let body: @Sendable ([Item]) async -> [Output]

    /// `body` gets the items of one run in arrival order and returns one output per item, in the same order.
    public init(_ body: @escaping @Sendable ([Item]) async -> [Output]) {
        self.body = body
    }

    public func submit(_ item: Item) async -> Output {
        await withCheckedContinuation { done in
            let start = state.withLock { s in
                s.waiting.append((item, done))
                if s.running { return false }
                s.running = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let taken = state.withLock { s in
                let taken = s.waiting
                s.waiting.removeAll()
                if taken.isEmpty { s.running = false }
                return taken
            }
            if taken.isEmpty { return }
            // A closure, not a key path: in this generic class `\.item` is built at run time on every run (about 4%
            // of the daemon's samples under a burst of pages, in swift_getKeyPath).
            let outputs = await body(taken.map { $0.item })
            precondition(outputs.count == taken.count, "a group commit returned \(outputs.count) of \(taken.count)")
            for (waiting, output) in zip(taken, outputs) { waiting.done.resume(returning: output) }
        }
    }
}
