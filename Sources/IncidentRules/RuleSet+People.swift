import IncidentCore

/// One notifier a step target reaches, and the person it reaches them as.
public struct Recipient: Sendable, Hashable {
    public var notifier: String
    public var user: String?

    public init(notifier: String, user: String?) {
        self.notifier = notifier
        self.user = user
    }
}

extension RuleSet {
    /// What one step target means at `time`: a notifier name → itself; `user:NAME` → that user's notifiers;
    /// `schedule:NAME` → the notifiers of whoever is on call then (empty when nobody is).
    public func recipients(of target: String, at time: Timestamp) -> [Recipient] {
        func person(_ name: String) -> [Recipient] {
            (users[name]?.notify ?? []).map { Recipient(notifier: $0, user: name) }
        }
        if target.hasPrefix("user:") { return person(String(target.dropFirst(5))) }
        if target.hasPrefix("schedule:") {
            guard let shift = schedules[String(target.dropFirst(9))]?.shift(at: time) else { return [] }
            return person(shift.user)
        }
        return [Recipient(notifier: target, user: nil)]
    }
}
