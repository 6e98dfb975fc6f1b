// `{"kind", "title", "impact", "urgency", "labels", "by"}`. Impact and urgency default to medium (P3), labels to
// none. Decoding says which value is wrong and what the valid ones are, because the message reaches the person
// who sent the body.

extension ReportedIncident: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, title, impact, urgency, labels, by
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(impact, forKey: .impact)
        try c.encode(urgency, forKey: .urgency)
        try c.encode(labels, forKey: .labels)
        try c.encode(by, forKey: .by)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func choice<T: RawRepresentable & CaseIterable>(_ key: CodingKeys, _ type: T.Type) throws -> T?
        where T.RawValue == String {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let value = T(rawValue: text) else {
                let valid = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\(key.stringValue) '\(text)' is not one of \(valid)")
            }
            return value
        }
        func text(_ key: CodingKeys) throws -> String {
            let value = try c.decodeIfPresent(String.self, forKey: key) ?? ""
            guard !value.trimmingSpaces.isEmpty else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\(key.stringValue) is required and must not be empty")
            }
            return value
        }
        guard let kind = try choice(.kind, IncidentKind.self) else {
            let valid = IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "kind is required: one of \(valid)")
        }
        self.init(
            kind: kind, title: try text(.title), impact: try choice(.impact, Impact.self) ?? .medium,
            urgency: try choice(.urgency, Urgency.self) ?? .medium,
            labels: try c.decodeIfPresent(Labels.self, forKey: .labels) ?? [:], by: try text(.by))
    }
}
