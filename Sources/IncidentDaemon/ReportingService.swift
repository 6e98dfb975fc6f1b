import ServiceLifecycle

/// Runs a source and reports on the readiness board once it is open, or what keeps it from opening.
struct ReportingService: Service {
    let name: String
    let detail: String
    let board: ReadinessBoard
    let inner: any Service
    let ready: @Sendable () async throws -> Void

    func run() async throws {
        board.problem(name, "not open yet")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [board, name, detail, ready] in
                do {
                    try await ready()
                    board.ready(name, detail: detail)
                } catch {
                    board.problem(name, "\(error)")
                }
            }
            try await inner.run()
            group.cancelAll()
        }
    }
}
