// `{"id": 3, "incident": "INC-7", "at": RFC 3339, "by": "ana", "text": "..."}`: the person is `by`, as in the
// lifecycle request bodies.

extension IncidentNote: Codable {
    enum CodingKeys: String, CodingKey {
        case id, incident, at, text
        case author = "by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(Incident.id(incident), forKey: .incident)
        try c.encode(at.rfc3339, forKey: .at)
        try c.encode(author, forKey: .author)
        try c.encode(text, forKey: .text)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let incidentID = try c.decode(String.self, forKey: .incident)
        guard let incident = Incident.number(from: incidentID) else {
            throw DecodingError.dataCorruptedError(
                forKey: .incident, in: c, debugDescription: "not an incident id: \(incidentID)")
        }
        self.init(
            id: try c.decodeIfPresent(Int64.self, forKey: .id) ?? 0, incident: incident,
            at: try c.decodeRFC3339(forKey: .at), author: try c.decode(String.self, forKey: .author),
            text: try c.decode(String.self, forKey: .text))
    }
}
