/// A day of the week, Monday first as in ISO 8601 (`handoff: "Mon 09:00"`, `every: "Sun 02:00-04:00"`).
public enum Weekday: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case monday = 1
    case tuesday
    case wednesday
    case thursday
    case friday
    case saturday
    case sunday

    /// Reads `Mon` or `Monday`, in any case; nil for anything else.
    public init?(text: String) {
        let lower = text.lowercased()
        guard let day = Self.allCases.first(where: { lower == $0.abbreviation.lowercased() || lower == $0.name })
        else { return nil }
        self = day
    }

    /// `Mon` ... `Sun`, the way rule files write it.
    public var abbreviation: String {
        switch self {
        case .monday: "Mon"
        case .tuesday: "Tue"
        case .wednesday: "Wed"
        case .thursday: "Thu"
        case .friday: "Fri"
        case .saturday: "Sat"
        case .sunday: "Sun"
        }
    }

    /// `monday` ... `sunday`.
    public var name: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    public var description: String { abbreviation }

    /// The abbreviation nearest a mistyped weekday (`Sn` → `Sun`), or `day`; nil when nothing is close.
    static func nearest(_ word: String) -> String? {
        let names = allCases.map(\.abbreviation) + ["day"]
        guard let hit = IncidentRules.nearest(word, in: names.map { $0.lowercased() }) else { return nil }
        return names.first { $0.lowercased() == hit }
    }
}
