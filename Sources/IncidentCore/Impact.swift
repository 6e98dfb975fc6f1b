/// How much of the business an incident touches (ITIL impact). Ordered: `low < medium < high`.
public enum Impact: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case high
    case medium
    case low

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: Impact, rhs: Impact) -> Bool { lhs.rank < rhs.rank }
}

/// How fast an incident must be handled (ITIL urgency). Ordered: `low < medium < high`.
public enum Urgency: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case high
    case medium
    case low

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rank < rhs.rank }

    /// The default urgency of an alert from its `severity` label: critical → high, error/warning → medium,
    /// anything else (or none) → low.
    public init(severity: String?) {
        switch severity?.lowercased() {
        case "critical", "crit", "emergency", "emerg", "alert", "page", "fatal": self = .high
        case "error", "err", "warning", "warn", "major": self = .medium
        default: self = .low
        }
    }
}
