import IncidentCore

/// A correlation group (SPEC §13): alerts of the listed rules whose `on` labels are equal, arriving within
/// `within` of the incident's last alert, join one incident. The first alert is its root cause.
public struct Correlation: Sendable {
    public var name: String
    public var location: SourceLocation
    public var rules: [String]
    /// Labels whose values must be equal (and present) on both sides.
    public var on: [String]
    public var within: Duration

    public static let defaultWithin: Duration = .seconds(15 * 60)

    public init(name: String, location: SourceLocation, rules: [String], on: [String], within: Duration) {
        self.name = name
        self.location = location
        self.rules = rules
        self.on = on
        self.within = within
    }

    /// The key that joins alerts in this group: the group's name and the `on` values; nil when a label is
    /// missing or empty (an alert that does not name the entity joins nothing).
    public func key(_ labels: Labels) -> String? {
        var key = name
        for label in on {
            guard let value = labels[label], !value.isEmpty else { return nil }
            key += "\u{1F}" + value
        }
        return key
    }
}
