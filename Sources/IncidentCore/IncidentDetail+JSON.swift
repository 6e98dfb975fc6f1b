// `show` is the incident's own JSON object with three more keys, so a client that reads incidents reads it too.

extension IncidentDetail: Codable {
    enum CodingKeys: String, CodingKey {
        case alertList = "alert_list"
        case timeline, notes
    }

    public func encode(to encoder: any Encoder) throws {
        try incident.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alerts, forKey: .alertList)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(notes, forKey: .notes)
    }

    public init(from decoder: any Decoder) throws {
        let incident = try Incident(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // The JSON does not repeat the incident on each alert; the detail is where it comes from.
        var alerts = try c.decode([AlertSnapshot].self, forKey: .alertList)
        for i in alerts.indices { alerts[i].incident = incident.number }
        self.init(
            incident: incident, alerts: alerts, timeline: try c.decode([TimelineEntry].self, forKey: .timeline),
            notes: try c.decode([IncidentNote].self, forKey: .notes))
    }
}
