// Encoding is beside Incident's in Incident+JSON.swift; decoding is here so clients read `timeline`.

extension TimelineEntry: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            at: try c.decodeRFC3339(forKey: .at), type: try c.decode(String.self, forKey: .type),
            detail: try c.decode(String.self, forKey: .detail))
    }
}
