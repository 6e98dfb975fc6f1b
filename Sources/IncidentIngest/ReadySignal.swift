import IncidentCore

/// A one-shot flag a source raises once it is open (or fails to open), for the daemon to send READY=1 only
/// when every source can take input.
final class ReadySignal: Sendable {
    private let outcome = OneShot<Result<Void, SourceError>>()

    /// Records the outcome; later calls are ignored, so a failure after readiness does not undo it.
    func complete(_ result: Result<Void, SourceError>) {
        outcome.complete(result)
    }

    /// Waits until the source is open; throws the error that kept it from opening.
    func wait() async throws(SourceError) {
        try await outcome.value().get()
    }
}
