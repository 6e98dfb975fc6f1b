import IncidentConfig
import IncidentCore
import IncidentIngest
import IncidentPostgres
import IncidentRules
import IncidentServer
import Logging
import ServiceLifecycle
import Synchronization

/// An instance of a shared store waiting for the lead (SPEC §15). Its own sources (journal, spool, socket, and
/// the ingest routes of its HTTP API) run and commit what they read to the relay, which the leader takes into its
/// engine; the engine and delivery do not run, and the rest of the API answers 503 naming the leader
/// (`StandbyAPI`). When it takes the lead, its sources and listeners stop (each commits what it has read), and
/// `run` returns the term: the daemon then starts as the leader.
struct Standby {
    let config: Configuration
    let ruleSet: RuleSet
    let store: PostgresStore
    let decoder: PayloadDecoder
    /// The lease holder's name, also kept with each relay row.
    let instance: String
    let journalKey: String
    let lease: Duration
    let logger: Logger
    let notifier: SystemdNotifier
    let stop: StopSignals

    /// Runs until this instance leads (returns the term) or is stopped first (returns nil).
    func run() async throws -> Int64? {
        // The first instance, or the one restarted after a graceful stop, leads at once: no sources start and stop.
        if let term = try? await store.acquireLeadership(instance: instance, lease: lease) {
            logger.notice("leading the store", metadata: ["term": "\(term)", "instance": "\(instance)"])
            return term
        }
        let won = TermBox()
        let watcher = LeadWatcher(won: won) { [self] in
            try await LeadershipService.waitToLead(
                store: store, instance: instance, lease: lease, failover: config.ha.failover, logger: logger,
                notifier: notifier)
        }
        // The standby's own metrics and readiness, served by its HTTP API; the leader's start anew.
        let metrics = DaemonMetrics()
        metrics.sourceGauge("incidentd_leader", "1 while this instance leads the shared store.").set(Int64(0))
        let board = ReadinessBoard()
        let sink = RelaySink(store: store, instance: instance)
        let api = StandbyAPI(
            store: store, sink: sink, decoder: decoder, metricsRegistry: metrics, board: board, instance: instance,
            now: { Timestamp.wallClock() })
        let server = try DaemonParts.server(
            config: config, api: api, board: board, changes: ChangeFeed(), logger: logger)
        let sources = try DaemonParts.sources(
            config: config, ruleSet: ruleSet, sink: sink, store: store, decoder: decoder, metrics: metrics,
            board: board, hooks: DaemonHooks(), logger: logger, journalKey: journalKey)
        // The watcher first, so it is stopped last; when it returns (the lead is taken), the group stops.
        let services = ([watcher] + server + sources).map {
            ServiceGroupConfiguration.ServiceConfiguration(
                service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(60)
        try await stop.run(ServiceGroup(configuration: configuration))
        return won.term.withLock { $0 }
    }
}

/// Waits for the lead while the standby's sources run; stops waiting on a graceful shutdown.
private struct LeadWatcher: Service {
    let won: TermBox
    let wait: @Sendable () async throws -> Int64

    func run() async throws {
        do {
            let term = try await cancelWhenGracefulShutdown { try await wait() }
            won.term.withLock { $0 = term }
        } catch is CancellationError {
            return
        }
    }
}

/// The term the watcher won, read once the standby's group has stopped.
private final class TermBox: Sendable {
    let term = Mutex<Int64?>(nil)
}
