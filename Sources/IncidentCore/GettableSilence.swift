/// A silence as `GET /api/v2/silences` shows it: Alertmanager's GettableSilence, state computed at read time.
public struct GettableSilence: Sendable, Hashable, Codable {
    public var silence: Silence
    public var state: Silence.State

    public init(_ silence: Silence, at time: Timestamp) {
        self.silence = silence
        self.state = silence.state(at: time)
    }

    enum CodingKeys: String, CodingKey {
        case id, status, updatedAt, matchers, startsAt, endsAt, createdBy, comment, annotations
    }

    enum StatusKeys: String, CodingKey { case state }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Matchers are read as a PostableSilence reads them, for isEqual's default.
        let postable = try PostableSilence(from: decoder)
        silence = Silence(
            id: try c.decode(String.self, forKey: .id), matchers: postable.matchers, startsAt: postable.startsAt,
            endsAt: postable.endsAt, createdBy: postable.createdBy, comment: postable.comment,
            updatedAt: try c.decodeRFC3339(forKey: .updatedAt))
        state = try c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status).decode(
            Silence.State.self, forKey: .state)
    }

    public func encode(to encoder: any Encoder) throws {
        try PostableSilence(
            id: silence.id, matchers: silence.matchers, startsAt: silence.startsAt, endsAt: silence.endsAt,
            createdBy: silence.createdBy, comment: silence.comment
        ).encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        var status = c.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
        try status.encode(state, forKey: .state)
        try c.encode(silence.updatedAt.rfc3339, forKey: .updatedAt)
        try c.encode([String: String](), forKey: .annotations)
    }
}
