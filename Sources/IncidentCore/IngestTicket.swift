/// A one-shot promise for one submission to an `EventSink`: completed once, awaited by any number of tasks.
///
/// Sources that pipeline input (a socket client writing many lines) submit line after line and await the
/// tickets in order, so replies keep the order of the lines while many lines share one commit.
public final class IngestTicket: Sendable {
    private let outcome = OneShot<Result<IngestReceipt, IngestError>>()

    public init() {}

    /// A ticket that is already complete.
    public convenience init(_ result: Result<IngestReceipt, IngestError>) {
        self.init()
        complete(result)
    }

    /// Completes the ticket; later calls are ignored.
    public func complete(_ result: Result<IngestReceipt, IngestError>) {
        outcome.complete(result)
    }

    /// Whether the ticket has been completed.
    public var isComplete: Bool { outcome.isComplete }

    /// Waits for the commit (or the failure) of the submission.
    public func receipt() async throws(IngestError) -> IngestReceipt {
        try await outcome.value().get()
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
