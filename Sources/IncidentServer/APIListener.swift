import Logging
import ServiceLifecycle

/// One bound listener of the API (the control socket or TCP) as a service: prepares the address, runs the
/// Hummingbird application until graceful shutdown, and cleans up after it.
struct APIListener: Service {
    let application: any Service
    /// What a bind failure message names: `control socket /run/incidentd/control.sock`, `http.listen 127.0.0.1:9097`.
    let name: String
    /// What to change when binding fails.
    let hint: String
    /// Set for the control socket: the file to clear before and remove after.
    let socketPath: ControlSocketPath?
    let state: BindState

    func run() async throws {
        try socketPath?.removeStale()
        defer {
            if let socketPath, state.isBound { socketPath.remove(inode: state.inode) }
        }
        do {
            try await application.run()
        } catch  where !state.isBound {
            throw APIServerError(.bindFailed, "cannot listen on \(name): \(error); \(hint)")
        }
    }
}
