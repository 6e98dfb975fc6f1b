import IncidentClient

extension CommandFailure {
    /// A failed daemon request as the one line the operator reads (exit 1).
    init(_ error: any Error) {
        let text = (error as? DaemonClientError)?.message ?? "\(error)"
        self.init(message: "error: \(text)")
    }
}
