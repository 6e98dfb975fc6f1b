import Synchronization

/// A one-shot promise for one submission to an `EventSink`: completed once, awaited by any number of tasks.
///
/// Sources that pipeline input (a socket client writing many lines) submit line after line and await the
/// tickets in order, so replies keep the order of the lines while many lines share one commit.
public final class IngestTicket: Sendable {
    private enum State {
        case pending([CheckedContinuation<Result<IngestReceipt, IngestError>, Never>])
        case done(Result<IngestReceipt, IngestError>)
    }

    private let state = Mutex<State>(.pending([]))

    public init() {}

    /// A ticket that is already complete.
    public convenience init(_ result: Result<IngestReceipt, IngestError>) {
        self.init()
        complete(result)
    }

    /// Completes the ticket; later calls are ignored.
    public func complete(_ result: Result<IngestReceipt, IngestError>) {
        let waiters: [CheckedContinuation<Result<IngestReceipt, IngestError>, Never>] = state.withLock { state in
            guard case .pending(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Whether the ticket has been completed.
    public var isComplete: Bool {
        state.withLock { if case .done = $0 { true } else { false } }
    }

    /// Waits for the commit (or the failure) of the submission.
    public func receipt() async throws(IngestError) -> IngestReceipt {
        let result = await withCheckedContinuation { continuation in
            let ready: Result<IngestReceipt, IngestError>? = state.withLock { state in
                switch state {
                case .done(let result): return result
                case .pending(var waiters):
                    waiters.append(continuation)
                    state = .pending(waiters)
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }
}

/// What the pipeline made of one submission, once committed.
public struct IngestReceipt: Sendable, Hashable, Codable {
    /// How many events were recorded.
    public var accepted: Int
    /// The incidents the events joined or opened (`INC-n`), in order of first mention, without repeats.
    public var incidents: [String]

    public init(accepted: Int, incidents: [String]) {
        self.accepted = accepted
        self.incidents = incidents
    }
}

/// The pipeline could not take a submission; nothing of it was committed.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// The daemon is stopping and takes no more input; retry against the restarted daemon.
        case shuttingDown = "shutting_down"
        /// The store failed to commit; the input was not recorded; retry later.
        case storeFailed = "store_failed"
        /// The input itself is unusable (bad JSON, too large, no labels); fix it before sending again.
        case invalid
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code.rawValue)]" }
}
