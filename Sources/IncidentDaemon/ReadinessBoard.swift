import IncidentServer
import Synchronization

/// What each part of the daemon says about its readiness; `/readyz`, `READY=1` and `STATUS=` read it.
public final class ReadinessBoard: Sendable {
    private let state = Mutex<(problems: [String: String], details: [String: String])>(([:], [:]))

    public init() {}

    /// Marks a part not ready, with what is wrong.
    public func problem(_ part: String, _ message: String) {
        state.withLock { $0.problems[part] = message }
    }

    /// Marks a part ready, with an optional detail (the socket path, the journal directory).
    public func ready(_ part: String, detail: String? = nil) {
        state.withLock {
            $0.problems[part] = nil
            if let detail { $0.details[part] = detail }
        }
    }

    public var snapshot: Readiness {
        state.withLock { Readiness(problems: $0.problems, details: $0.details) }
    }
}
