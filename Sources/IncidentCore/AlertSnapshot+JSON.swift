// Encoding is beside Incident's in Incident+JSON.swift; decoding is here so clients read `alert_list`.

extension AlertSnapshot: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let hex = try c.decode(String.self, forKey: .fingerprint)
        guard let fingerprint = Fingerprint(hex: hex) else {
            throw DecodingError.dataCorruptedError(
                forKey: .fingerprint, in: c, debugDescription: "not a fingerprint (16 hex digits): \(hex)")
        }
        self.init(
            fingerprint: fingerprint, incident: nil, labels: try c.decode(Labels.self, forKey: .labels),
            annotations: try c.decode(Labels.self, forKey: .annotations),
            status: try c.decode(EventStatus.self, forKey: .status),
            firstSeen: try c.decodeRFC3339(forKey: .firstSeen), lastSeen: try c.decodeRFC3339(forKey: .lastSeen),
            events: try c.decode(Int.self, forKey: .events), suppressed: try c.decode(Bool.self, forKey: .suppressed))
    }
}
