// `{"kind", "priority", "count", "mtta_seconds", "mttr_seconds"}`; a mean is null when no incident of the line
// was acknowledged (resolved).

extension ReportLine: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, priority, count
        case meanTimeToAcknowledge = "mtta_seconds"
        case meanTimeToResolve = "mttr_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(priority, forKey: .priority)
        try c.encode(count, forKey: .count)
        try c.encode(meanTimeToAcknowledge, forKey: .meanTimeToAcknowledge)
        try c.encode(meanTimeToResolve, forKey: .meanTimeToResolve)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(IncidentKind.self, forKey: .kind),
            priority: try c.decode(Priority.self, forKey: .priority),
            count: try c.decode(Int.self, forKey: .count),
            meanTimeToAcknowledge: try c.decodeIfPresent(Double.self, forKey: .meanTimeToAcknowledge),
            meanTimeToResolve: try c.decodeIfPresent(Double.self, forKey: .meanTimeToResolve))
    }
}
