import IncidentRules
import Synchronization

/// Where parts built late (the sources) plug into services built early (status, reload) without the
/// composition root passing each source around by name.
final class DaemonHooks: Sendable {
    private let statusProviders = Mutex<[@Sendable () -> String]>([])
    private let reloadListeners = Mutex<[@Sendable (RuleSet) -> Void]>([])

    /// Adds a fragment to every `STATUS=` line (live counts of a source).
    func addStatus(_ provider: @escaping @Sendable () -> String) {
        statusProviders.withLock { $0.append(provider) }
    }

    /// The fragments, each led by ", ", or "" when there are none.
    var statusText: String {
        statusProviders.withLock { $0 }.map { ", " + $0() }.joined()
    }

    /// Calls `listener` with every rule set that took effect on a reload.
    func onReload(_ listener: @escaping @Sendable (RuleSet) -> Void) {
        reloadListeners.withLock { $0.append(listener) }
    }

    func reloaded(_ ruleSet: RuleSet) {
        for listener in reloadListeners.withLock({ $0 }) { listener(ruleSet) }
    }
}
