// `show` is the incident's own JSON object with more keys (alert_list, root_cause, related_alerts, timeline, notes,
// runbook), so a client that reads incidents reads it too.

extension IncidentDetail: Codable {
    enum CodingKeys: String, CodingKey {
        case alertList = "alert_list"
        case timeline, notes, runbook
        case rootCause = "root_cause"
        case relatedAlerts = "related_alerts"
    }

    public func encode(to encoder: any Encoder) throws {
        try incident.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alerts, forKey: .alertList)
        try c.encode(rootCause, forKey: .rootCause)
        try c.encode(relatedAlerts, forKey: .relatedAlerts)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(notes, forKey: .notes)
        try c.encode(runbook, forKey: .runbook)
    }

    public init(from decoder: any Decoder) throws {
        let incident = try Incident(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // The JSON does not repeat the incident on each alert; the detail is where it comes from.
        var alerts = try c.decode([AlertSnapshot].self, forKey: .alertList)
        for i in alerts.indices { alerts[i].incident = incident.number }
        self.init(
            incident: incident, alerts: alerts, timeline: try c.decode([TimelineEntry].self, forKey: .timeline),
            notes: try c.decode([IncidentNote].self, forKey: .notes),
            runbook: try c.decodeIfPresent(String.self, forKey: .runbook))
    }
}

extension IncidentDetail {
    /// The alerts that joined through a correlation group (SPEC §13), as their `correlated` timeline lines name
    /// them, in order.
    public var relatedAlerts: [Fingerprint] {
        var seen = Set<Fingerprint>()
        return timeline.compactMap { entry -> Fingerprint? in
            guard entry.type == "correlated", entry.detail.hasPrefix("alert ") else { return nil }
            let hex = entry.detail.dropFirst(6).prefix { $0 != " " }
            guard let fingerprint = Fingerprint(hex: String(hex)), seen.insert(fingerprint).inserted else { return nil }
            return fingerprint
        }
    }

    /// The root cause of a correlated incident: its first alert; nil when no other rule's alert joined it.
    public var rootCause: Fingerprint? {
        let related = Set(relatedAlerts)
        guard !related.isEmpty else { return nil }
        return alerts.filter { !related.contains($0.fingerprint) }
            .min { ($0.firstSeen, $0.fingerprint) < ($1.firstSeen, $1.fingerprint) }?.fingerprint
    }
}
