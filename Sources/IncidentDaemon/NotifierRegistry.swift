import IncidentConfig
import IncidentEngine
import Synchronization

/// The notifiers in force and who listens to which lifecycle moment. SIGHUP replaces both with the rules, so a
/// notifier a new rule names is known before the rule can page it.
final class NotifierRegistry: Sendable {
    private let state: Mutex<(targets: [String: NotifierTarget], subscribers: [LifecycleMoment: [String]])>

    init(_ targets: [String: NotifierTarget], subscribers: [LifecycleMoment: [String]] = [:]) {
        state = Mutex((targets, subscribers))
    }

    /// Builds the config's notifiers (reading their secret files); throws what `NotifierDirectory` refuses.
    convenience init(config: Configuration) throws {
        self.init(try NotifierDirectory.build(config.notifiers), subscribers: DaemonParts.subscribers(config))
    }

    var targets: [String: NotifierTarget] { state.withLock { $0.targets } }
    var subscribers: [LifecycleMoment: [String]] { state.withLock { $0.subscribers } }

    func target(_ name: String) -> NotifierTarget? { state.withLock { $0.targets[name] } }

    func replace(with other: NotifierRegistry) {
        let (targets, subscribers) = other.state.withLock { ($0.targets, $0.subscribers) }
        state.withLock { $0 = (targets, subscribers) }
    }
}
