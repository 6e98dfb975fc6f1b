import IncidentConfig
import IncidentRules
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads rules and notifiers on SIGHUP (SPEC §3): a valid new set replaces the old one atomically and keeps
/// every open incident, window and timer; an invalid one is logged with its diagnostics and the old set stays
/// in force. Notifiers are swapped first, so a rule naming a new notifier never pages one the delivery service
/// does not know.
struct ReloadService: Service {
    let configPath: String
    let pipeline: IngestPipeline
    let metrics: DaemonMetrics
    let logger: Logger
    let notifier: SystemdNotifier
    let hooks: DaemonHooks
    var notifiers: NotifierRegistry?

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            await reload()
            notifier.send("READY=1", "STATUS=running")
        }
    }

    /// Returns whether the new rules took effect.
    @discardableResult
    func reload() async -> Bool {
        let (config, rules, diagnostics) = Configuration.validate(path: configPath)
        guard let config, let ruleSet = rules?.ruleSet, rules?.errors.isEmpty == true,
            !diagnostics.contains(where: { $0.severity == .error })
        else {
            metrics.reloadFailures.increment()
            for diagnostic in diagnostics where diagnostic.severity == .error {
                logger.error("reload rejected", metadata: ["diagnostic": "\(diagnostic)"])
            }
            logger.error(
                "reload rejected: the configuration or a rule file has errors; the old rules stay in force",
                metadata: [
                    "config": "\(configPath)", "errors": "\(diagnostics.filter { $0.severity == .error }.count)",
                ])
            return false
        }
        let previous = notifiers.map { NotifierRegistry($0.targets, subscribers: $0.subscribers) }
        if let notifiers {
            do {
                notifiers.replace(with: try NotifierRegistry(config: config))
            } catch {
                metrics.reloadFailures.increment()
                logger.error(
                    "reload rejected: a notifier cannot be built; the old rules and notifiers stay in force",
                    metadata: ["error": "\(error)"])
                return false
            }
        }
        do {
            try await pipeline.execute { engine, _ in
                engine.reload(ruleSet)
                return ((), [])
            }
        } catch {
            if let previous { notifiers?.replace(with: previous) }
            metrics.reloadFailures.increment()
            logger.error("reload could not be committed; the old rules stay in force", metadata: ["error": "\(error)"])
            return false
        }
        metrics.reloads.increment()
        hooks.reloaded(ruleSet)
        logger.notice(
            "rules reloaded",
            metadata: [
                "rules": "\(ruleSet.rules.count)", "files": "\(rules?.files.count ?? 0)",
                "rule_paths": "\(config.rules.joined(separator: ","))",
            ])
        return true
    }
}
