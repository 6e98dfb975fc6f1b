/// Whether an alert is currently firing or has ended.
public enum EventStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case firing
    case resolved
}

/// Where an event entered the daemon.
public enum EventSource: String, Sendable, Hashable, Codable, CaseIterable {
    case journal
    case socket
    case spool
    case http
}

/// One observation of an alert, as every source produces it (SPEC §4).
public struct Event: Sendable, Hashable, Codable {
    /// Identity of the alert; never empty.
    public var labels: Labels
    /// Free text (summary, message, runbook); not part of identity.
    public var annotations: Labels
    public var status: EventStatus
    public var startsAt: Timestamp?
    public var endsAt: Timestamp?
    public var source: EventSource
    public var receivedAt: Timestamp
    public var generatorURL: String?
    /// Set for a PagerDuty `acknowledge` event: it acknowledges the incident holding this alert.
    public var acknowledges: Bool

    public init(
        labels: Labels, annotations: Labels = [:], status: EventStatus = .firing, startsAt: Timestamp? = nil,
        endsAt: Timestamp? = nil, source: EventSource = .socket, receivedAt: Timestamp,
        generatorURL: String? = nil, acknowledges: Bool = false
    ) {
        self.labels = labels
        self.annotations = annotations
        self.status = status
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.source = source
        self.receivedAt = receivedAt
        self.generatorURL = generatorURL
        self.acknowledges = acknowledges
    }

    public var fingerprint: Fingerprint { labels.fingerprint }

    /// The time windows are measured in: the event's own time, clamped to at most `clamp` ahead of arrival,
    /// so that a replay of recorded events gives the same result as the live run.
    public func eventTime(clamp: Duration = .seconds(60)) -> Timestamp {
        let own: Timestamp
        switch status {
        case .firing: own = startsAt ?? receivedAt
        case .resolved: own = endsAt ?? startsAt ?? receivedAt
        }
        return min(own, receivedAt + clamp)
    }

    /// The value a matcher sees for `name`: the label, else the annotation of that name, else the event's
    /// source for `source`; nil when none exists (matchers treat that as the empty string).
    public func value(for name: String) -> String? {
        if let value = labels[name] { return value }
        if let value = annotations[name] { return value }
        if name == "source" { return source.rawValue }
        return nil
    }
}
