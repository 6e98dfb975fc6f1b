import ServiceLifecycle
import Synchronization
import UnixSignals

/// SIGTERM and SIGINT for the daemon's whole life, across its service groups.
///
/// A standby runs one group (its sources) and, once it takes the lead, the daemon runs another. A group's own
/// `gracefulShutdownSignals` trap the signals only while it runs, and leave them ignored afterwards (UnixSignals
/// sets `SIG_IGN`): a `systemctl stop` between the two groups (while the new leader restores its engine) was
/// lost, and systemd killed the daemon at its stop timeout. Here one trap lasts from the start, a stop is
/// remembered, and it stops whichever group runs, or the next one as soon as it starts.
final class StopSignals: Sendable {
    private let state = Mutex<(requested: Bool, group: ServiceGroup?)>((false, nil))

    init() {}

    /// Whether a stop was asked for.
    var requested: Bool { state.withLock { $0.requested } }

    /// Traps SIGTERM and SIGINT (from now on, before this returns) and hands each to `request` until cancelled.
    static func trap(into stop: StopSignals) async -> Task<Void, Never> {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        return Task {
            for await _ in signals { await stop.request() }
        }
    }

    /// Asks for a stop: the group that runs shuts down gracefully, and any later one does as it starts.
    func request() async {
        let group = state.withLock { state in
            state.requested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Runs `group`, shutting it down gracefully at once when a stop was already asked for.
    func run(_ group: ServiceGroup) async throws {
        let requested = state.withLock { state in
            state.group = group
            return state.requested
        }
        defer { state.withLock { $0.group = nil } }
        if requested { await group.triggerGracefulShutdown() }
        try await group.run()
    }
}
