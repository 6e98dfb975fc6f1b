/// What one entry of an escalation step's `notify:` names (SPEC §12).
public enum StepTarget: Sendable, Hashable, CustomStringConvertible {
    /// A notifier from the configuration, by name.
    case notifier(String)
    /// `user:NAME`: every notifier of that user.
    case user(String)
    /// `schedule:NAME`: whoever is on call when the step fires.
    case schedule(String)

    public static let userPrefix = "user:"
    public static let schedulePrefix = "schedule:"

    public init(_ text: String) {
        if text.hasPrefix(Self.userPrefix) {
            self = .user(String(text.dropFirst(Self.userPrefix.count)))
        } else if text.hasPrefix(Self.schedulePrefix) {
            self = .schedule(String(text.dropFirst(Self.schedulePrefix.count)))
        } else {
            self = .notifier(text)
        }
    }

    public var description: String {
        switch self {
        case .notifier(let name): name
        case .user(let name): Self.userPrefix + name
        case .schedule(let name): Self.schedulePrefix + name
        }
    }
}
