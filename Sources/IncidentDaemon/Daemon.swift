import Foundation
import IncidentConfig
import IncidentCore
import IncidentEngine
import IncidentIngest
import IncidentNotify
import IncidentPostgres
import IncidentRules
import IncidentServer
import IncidentStore
import Logging
import ServiceLifecycle

/// The composition root: reads the config, opens the store, restores the engine, and runs every part as one
/// service group, outputs first and inputs last, so a graceful shutdown stops intake first and commits last.
public struct Daemon: Sendable {
    public let configPath: String
    public var logger: Logger

    public init(configPath: String, logger: Logger) {
        self.configPath = configPath
        self.logger = logger
    }

    public func run() async throws {
        let (loaded, rules, diagnostics) = Configuration.validate(path: configPath)
        for diagnostic in diagnostics {
            logger.log(
                level: diagnostic.severity == .error ? .error : .warning, "config or rule diagnostic",
                metadata: ["diagnostic": "\(diagnostic)"])
        }
        guard let config = loaded else {
            throw DaemonError(.badConfig, "\(configPath) is not valid; run `incidentd validate --config \(configPath)`")
        }
        guard let ruleSet = rules?.ruleSet, rules?.errors.isEmpty == true else {
            throw DaemonError(.badRules, "the rule files have errors; run `incidentd validate --config \(configPath)`")
        }
        let notifier = SystemdNotifier()
        // One trap for SIGTERM and SIGINT across the standby's group and the leader's (see StopSignals).
        let stop = StopSignals()
        let trap = await StopSignals.trap(into: stop)
        defer { trap.cancel() }
        let metrics = DaemonMetrics()
        let board = ReadinessBoard()
        let hooks = DaemonHooks()
        let (store, storeAddress) = try await Self.openStore(config, logger: logger)
        // A shared store is led by one instance at a time (SPEC §15): a standby's sources feed the relay until it
        // takes the lead; then it starts as the leader.
        var leadership: LeadershipService?
        var journalKey = JournalSource.positionKey
        var relay: PostgresStore?
        let relayLag = RelayLag()
        if let postgres = store as? PostgresStore {
            let lease = config.ha.failover * (2.0 / 3.0)
            let instance = config.ha.instance ?? "\(ProcessInfo.processInfo.hostName)/\(getpid())"
            // The cursor outlives the process: it is the host's (or the configured instance's), not the pid's.
            journalKey = "\(JournalSource.positionKey):\(config.ha.instance ?? ProcessInfo.processInfo.hostName)"
            let standby = Standby(
                config: config, ruleSet: ruleSet, store: postgres, decoder: Self.decoder(config), instance: instance,
                journalKey: journalKey, lease: lease, logger: logger, notifier: notifier, stop: stop)
            let won = try await standby.run()
            guard let term = won, !stop.requested else {
                // Stopped while a standby, or as it took the lead: the lease (if held) goes at once.
                try? await postgres.releaseLeadership()
                Self.stoppedBeforeServing(notifier)
                logger.notice("incidentd stopped (standby)")
                return
            }
            leadership = LeadershipService(
                store: postgres, lease: lease, logger: logger, notifier: notifier, instance: instance,
                relayLag: relayLag)
            relay = postgres
            metrics.sourceGauge("incidentd_leader", "1 while this instance leads the shared store.").set(Int64(1))
            metrics.sourceGauge("incidentd_term", "The term this instance leads the shared store under.").set(term)
            hooks.addStatus { "leader (term \(term))" }
            board.ready("leadership", detail: "leader of \(storeAddress) under term \(term) as \(instance)")
            board.ready("role", detail: "leader")
        }
        let restored: EngineRecovery.Restored
        do {
            var recovery = EngineRecovery(store: store, logger: logger)
            recovery.stopRequested = { stop.requested }
            restored = try await recovery.restore(ruleSet: ruleSet)
        } catch let stopped as EngineRecovery.Stopped {
            // Nothing was written: the next start rebuilds from the same checkpoint. A lead just taken goes at once.
            if let relay { try? await relay.releaseLeadership() }
            Self.stoppedBeforeServing(notifier)
            logger.notice(
                "incidentd stopped while rebuilding its engine; the next start replays again",
                metadata: ["replayed": "\(stopped.replayed)"])
            return
        }
        metrics.quarantined.increment(by: restored.quarantined)
        // How long this start's rebuild took, and how much it replayed: after `kill -9` it grows with the events
        // since the last checkpoint (`checkpointEvents`, or more under a load faster than the checkpoints' spacing).
        metrics.sourceGauge(
            "incidentd_restore_seconds",
            "Seconds the engine's rebuild at start took: its checkpoint, then the events committed after it."
        ).set(restored.took / .seconds(1))
        metrics.sourceGauge(
            "incidentd_restore_replayed_events",
            "Events the engine's rebuild at start replayed after its checkpoint (quarantined ones included)."
        ).set(Int64(restored.replayed))
        let regexTimeouts = metrics.sourceGauge(
            "incidentd_regex_timeouts_total", "Rule regex matches abandoned after 100 ms and taken as no match.")
        metrics.onScrape { regexTimeouts.set(Int64(Pattern.timeouts)) }
        let notifiers = try NotifierRegistry(config: config)
        let wakeup = DeliveryWakeup()
        let changes = ChangeFeed()
        let pipeline = IngestPipeline(
            engine: restored.engine, store: store, metrics: metrics, logger: logger,
            subscribers: { notifiers.subscribers }, outboxFilled: { wakeup.feed($0) },
            incidentsChanged: { changes.bump() }, held: restored.held)
        let decoder = Self.decoder(config)
        logger.notice(
            "incidentd starting",
            metadata: [
                "config": "\(configPath)", "store": "\(storeAddress)", "rules": "\(ruleSet.rules.count)",
                "active_incidents": "\(restored.engine.workingSetSize.incidents)",
                "replayed_events": "\(restored.replayed)",
            ])

        let api = DaemonAPI(
            pipeline: pipeline, store: store, knowledgeBase: store, decoder: decoder, metrics: metrics,
            readiness: { [board, store, metrics] in
                var readiness = board.snapshot
                // The store may answer reads while refusing writes (a full disk): the pipeline's last commit says.
                if let failure = metrics.commitHealth.failure { readiness.problems["store"] = failure.message }
                do {
                    _ = try await store.sourcePosition("readiness-probe")
                } catch {
                    readiness.problems["store"] = "the store does not answer: \(error)"
                }
                return readiness
            }, changes: changes)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        func add(_ service: any Service, critical: Bool = true) {
            services.append(
                .init(
                    service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: critical ? .gracefullyShutdownGroup : .ignore))
        }
        // The lead first: it is given up last, after the pipeline's final commit.
        if let leadership { add(leadership) }
        // Outputs first: the pipeline stops last, after every source has handed in what it had.
        add(PipelineService(pipeline: pipeline))
        add(
            DeliveryService(
                store: store, notifiers: notifiers, metrics: metrics, board: board, logger: logger, wakeup: wakeup))
        add(RetentionService(store: store, keep: config.keepEvents, logger: logger), critical: false)
        add(
            ReloadService(
                configPath: configPath, pipeline: pipeline, metrics: metrics, logger: logger, notifier: notifier,
                hooks: hooks, notifiers: notifiers))
        for service in try DaemonParts.server(
            config: config, api: api, board: board, changes: changes, logger: logger)
        {
            add(service)
        }
        for service in try DaemonParts.sources(
            config: config, ruleSet: ruleSet, sink: pipeline, store: store, decoder: decoder, metrics: metrics,
            board: board, hooks: hooks, logger: logger, journalKey: journalKey)
        {
            add(service)
        }
        if let relay {
            add(
                RelayFollower(
                    store: relay, sink: CountingSink(inner: pipeline, metrics: metrics, source: "relay"),
                    logger: logger,
                    lag: metrics.sourceGauge(
                        "incidentd_relay_lag",
                        "Events the standbys committed to the relay that the leader has not taken yet."),
                    lagValue: relayLag))
        }
        add(
            StatusService(
                pipeline: pipeline, board: board, notifier: notifier, logger: logger,
                expected: DaemonParts.expectedParts(config), degradable: DaemonParts.degradableParts, hooks: hooks),
            critical: false)

        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(60)
        try await stop.run(ServiceGroup(configuration: configuration))
        notifier.send("STATUS=stopped")
        logger.notice("incidentd stopped")
    }

    /// A stop before the services ran (as a standby, or while the engine was rebuilt): `STOPPING=1` (SPEC §10), which
    /// the status service sends once they run, then `STATUS=stopped` as at the end of any stop.
    static func stoppedBeforeServing(_ notifier: SystemdNotifier) {
        notifier.send("STOPPING=1", "STATUS=stopped")
    }

    /// The payload decoder with the config's limits.
    static func decoder(_ config: Configuration) -> PayloadDecoder {
        PayloadDecoder(
            maxPayloadBytes: config.limits.maxPayloadBytes, maxLabels: config.limits.maxLabels,
            maxLabelValueBytes: config.limits.maxLabelValueBytes, maxLabelNameBytes: config.limits.maxLabelNameBytes,
            maxAnnotationBytes: config.limits.maxAnnotationBytes)
    }

    /// Opens the store the config names, bringing its schema up to date; returns it with its address for logs
    /// (a PostgreSQL URL without its password).
    static func openStore(_ config: Configuration, logger: Logger) async throws -> (any DaemonStore, String) {
        switch config.store {
        case .sqlite:
            let path = config.sqlitePath ?? "incidentd.sqlite"
            return (try SQLiteStore(path: path), path)
        case .postgres(let text, let passwordFile):
            let url: PostgresURL
            switch PostgresURL.parse(text) {
            case .success(let parsed): url = parsed
            case .failure(let error):
                throw DaemonError(.badConfig, "store.postgres.url is not usable: \(error.message)")
            }
            var password: String?
            if let passwordFile {
                do {
                    let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                    password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                } catch {
                    throw DaemonError(
                        .badConfig,
                        "cannot read store.postgres.password_file \(passwordFile) (\(error.localizedDescription)); "
                            + "make it readable by the incidentd user")
                }
            }
            // A session stopped mid-transaction is ended after a third of the failover (the time left after the
            // lease), so its locks cannot hold a takeover back past the failover. A call that takes longer than the
            // failover fails (the sender is told, and retries) instead of holding the pipeline.
            let store = try await PostgresStore(
                url: url, password: password, idleTransactionTimeout: max(.seconds(1), config.ha.failover / 3),
                callTimeout: max(.seconds(5), config.ha.failover), logger: logger)
            return (store, url.display)
        }
    }
}
