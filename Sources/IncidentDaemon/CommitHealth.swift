import IncidentCore
import Synchronization

/// Whether the ingest pipeline's commits are failing, and why; `/readyz` and the metrics read it.
///
/// A store that refuses writes (a full disk, a read-only file system) still answers reads, so the read probe
/// of `/readyz` alone called the daemon ready while every source got errors.
public final class CommitHealth: Sendable {
    /// The last commit failed.
    public struct Failure: Sendable, Hashable {
        /// For the metric's `reason` label: the store error's code (`disk_full`, `cannot_open`, …), `other`.
        public var reason: String
        /// For `/readyz` under `store`: what fails, since when, and what to do.
        public var message: String
    }

    private let state = Mutex<Failure?>(nil)

    public init() {}

    /// The failure of the last commit; nil when it succeeded (or none failed yet).
    public var failure: Failure? { state.withLock { $0 } }

    /// Records a failed commit; returns what it says.
    @discardableResult
    func failed(_ error: any Error, at time: Timestamp) -> Failure {
        let failure = Self.describe(error, at: time)
        state.withLock { current in
            // The first failure's time stays: the operator wants to know how long it has been failing.
            if let current, current.reason == failure.reason { return }
            current = failure
        }
        return failure
    }

    /// Records a successful commit.
    func succeeded() {
        state.withLock { $0 = nil }
    }

    static func describe(_ error: any Error, at time: Timestamp) -> Failure {
        guard let error = error as? StoreError else {
            return Failure(reason: "other", message: "commits failing since \(time.rfc3339): \(error)")
        }
        let message =
            switch error.code {
            case .diskFull:
                "commits failing: no space left on device (since \(time.rfc3339)); free space on the file system "
                    + "of \(error.store), or move the store with store.sqlite.path"
            case .cannotOpen:
                "commits failing: the store \(error.store) cannot be written (since \(time.rfc3339)): \(error.message)"
            default:
                "commits failing since \(time.rfc3339): \(error.message)"
            }
        return Failure(reason: error.code.rawValue, message: message)
    }
}
