/// Where every event went. Every event lands in exactly one bucket, so
/// `eventsIn == absorbed + pending + belowThreshold + dropped + unmatched + stale` always holds.
public struct EngineStats: Sendable, Hashable, Codable {
    public var eventsIn = 0
    /// Taken by an alert of an incident (including suppressed alerts and source acknowledgements).
    public var absorbed = 0
    /// Held now by a threshold that has not been reached.
    public var pending = 0
    /// Held by a threshold, then fell out of its window before it was reached.
    public var belowThreshold = 0
    /// Discarded by a rule with `drop: true`.
    public var dropped = 0
    /// Matched no rule.
    public var unmatched = 0
    /// A resolve or acknowledge for an alert the engine does not hold (already closed, or never seen).
    public var stale = 0

    public var incidentsOpened = 0
    public var incidentsReopened = 0
    public var incidentsResolved = 0
    public var incidentsClosed = 0
    public var notifications = 0

    public init() {}

    /// The sum of the buckets; equals `eventsIn` unless an event was lost.
    public var accounted: Int { absorbed + pending + belowThreshold + dropped + unmatched + stale }
}
