import ArgumentParser
import IncidentClient

extension ValidationError {
    /// A bad command-line value found by the client library, reported as a usage error (exit 2).
    init(_ error: any Error) {
        self.init((error as? UsageError)?.message ?? "\(error)")
    }
}
