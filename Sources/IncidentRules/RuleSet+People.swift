import IncidentCore

/// One notifier to send to for a step target, and the person it reaches when the target named one.
public struct Recipient: Sendable, Hashable {
    public var notifier: String
    /// The user paged (recorded in the timeline, the outbox row and the payload); nil for a plain notifier.
    public var user: String?

    public init(notifier: String, user: String? = nil) {
        self.notifier = notifier
        self.user = user
    }
}

extension RuleSet {
    /// What one step target means at `time`: a notifier name → itself; `user:NAME` → that user's notifiers;
    /// `schedule:NAME` → the notifiers of whoever is on call then (empty when nobody is).
    public func recipients(of target: String, at time: Timestamp) -> [Recipient] {
        switch StepTarget(target) {
        case .notifier(let name):
            return [Recipient(notifier: name)]
        case .user(let name):
            return recipients(ofUser: name)
        case .schedule(let name):
            guard let user = schedules[name]?.shift(at: time)?.user else { return [] }
            return recipients(ofUser: user)
        }
    }

    func recipients(ofUser name: String) -> [Recipient] {
        (users[name]?.notify ?? []).map { Recipient(notifier: $0, user: name) }
    }
}
