import CSystemd
import Logging
import ServiceLifecycle

/// Talks to systemd: `READY=1` once every source is open, `STATUS=` with live counts, `WATCHDOG=1` at half of
/// `WATCHDOG_USEC` — only after the pipeline answered, so a stuck loop stops the pings and systemd restarts
/// us — and `STOPPING=1` as soon as a shutdown begins.
struct StatusService: Service {
    let pipeline: IngestPipeline
    let board: ReadinessBoard
    let notifier: SystemdNotifier
    let logger: Logger
    /// The parts that must report ready before `READY=1`.
    let expected: [String]
    /// Expected parts that only need to have reported, ready or not: a journal that cannot be opened is shown
    /// on `/readyz` and retried, but must not keep the socket and spool from serving (nor systemd from
    /// starting the service).
    let degradable: Set<String>
    /// Live counts of the sources, appended to `STATUS=`.
    let hooks: DaemonHooks
    var statusInterval: Duration = .seconds(5)

    func run() async throws {
        var watchdogUsec: UInt64 = 0
        let watchdog = sd_watchdog_enabled(0, &watchdogUsec) > 0
        let tick = Self.tick(watchdogUsec: watchdog ? watchdogUsec : nil, statusInterval: statusInterval)
        var announced = false
        var lastStatus = ContinuousClock.now - statusInterval
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let figures = await pipeline.engineFigures()
                if !announced {
                    let readiness = board.snapshot
                    if expected.allSatisfy({
                        readiness.details[$0] != nil && (readiness.problems[$0] == nil || degradable.contains($0))
                    }) {
                        announced = true
                        notifier.ready(status: Self.status(figures) + hooks.statusText)
                        logger.notice("incidentd ready", metadata: ["parts": "\(expected.joined(separator: ","))"])
                    }
                }
                if watchdog { notifier.send("WATCHDOG=1") }
                if announced && ContinuousClock.now - lastStatus >= statusInterval {
                    notifier.status(
                        Self.status(
                            figures, sources: hooks.statusText, escalation: board.snapshot.problems["escalation"]))
                    lastStatus = .now
                }
                let pause = announced ? tick : min(tick, .milliseconds(50))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        } onGracefulShutdown: {
            notifier.stopping()
        }
    }

    /// How long the loop pauses between passes once ready; each pass pings the watchdog when it is on. Half of
    /// `WATCHDOG_USEC` (what sd_watchdog_enabled(3) advises), never longer than `statusInterval`; nil
    /// `watchdogUsec`: no watchdog (unset, or `WATCHDOG_PID` names another process).
    static func tick(watchdogUsec: UInt64?, statusInterval: Duration) -> Duration {
        guard let watchdogUsec else { return statusInterval }
        return min(statusInterval, .microseconds(Int64(watchdogUsec / 2)))
    }

    /// The status line: the engine's figures, then the sources' live counts, then an overdue escalation, if any.
    static func status(_ f: EngineFigures, sources: String = "", escalation problem: String?) -> String {
        status(f) + sources + (problem.map { "; \($0)" } ?? "")
    }

    static func status(_ f: EngineFigures) -> String {
        "\(f.stats.eventsIn) events, \(f.workingIncidents) incidents in play, \(f.stats.incidentsOpened) opened, "
            + "\(f.stats.unmatched) unmatched, \(f.queuedEvents) queued"
    }
}
