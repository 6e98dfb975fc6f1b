import IncidentCore

/// `GET /api/v1/report`: the lines by kind and priority for incidents opened since `since`.
public struct IncidentReport: Sendable, Hashable, Decodable {
    public var since: Timestamp
    public var lines: [ReportLine]
    public var total: Int

    public init(since: Timestamp, lines: [ReportLine], total: Int) {
        self.since = since
        self.lines = lines
        self.total = total
    }

    enum CodingKeys: String, CodingKey { case since, lines, total }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .since)
        guard let since = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(forKey: .since, in: c, debugDescription: "not RFC 3339: \(text)")
        }
        self.init(
            since: since, lines: try c.decode([ReportLine].self, forKey: .lines),
            total: try c.decode(Int.self, forKey: .total))
    }
}
