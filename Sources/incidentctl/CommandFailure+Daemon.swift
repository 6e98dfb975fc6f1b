import IncidentClient

extension CommandFailure {
    /// A failed daemon request as the one line the operator reads (exit 1). The daemon's message may repeat what
    /// someone sent it (a silence's matcher, a slug), so control characters are escaped for the terminal.
    init(_ error: any Error) {
        let text = (error as? DaemonClientError)?.message ?? "\(error)"
        self.init(message: "error: \(TerminalText.safe(text))")
    }
}
