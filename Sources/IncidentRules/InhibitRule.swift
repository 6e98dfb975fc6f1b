import IncidentCore

/// While an open incident holds an alert matching `source`, a new alert matching `target` with equal values
/// of the `equal` labels joins that incident as suppressed instead of opening its own.
public struct InhibitRule: Sendable {
    public var name: String
    public var location: SourceLocation
    public var source: [Matcher]
    public var target: [Matcher]
    public var equal: [String]

    public func sourceMatches(_ event: Event) -> Bool { source.allSatisfy { $0.matches(event) } }
    public func targetMatches(_ event: Event) -> Bool { target.allSatisfy { $0.matches(event) } }
}
