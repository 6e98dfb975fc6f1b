/// The body of `POST /api/v2/silences`: Alertmanager's PostableSilence (SPEC §11).
///
/// Decoded strictly (every field AM requires must be there, with the right JSON type) but with AM's defaults:
/// a matcher's `isEqual` is true when absent, and an empty `id` means a new silence.
public struct PostableSilence: Sendable, Hashable, Codable {
    /// The silence to update; nil for a new one.
    public var id: String?
    public var matchers: [SilenceMatcher]
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var createdBy: String
    public var comment: String

    public init(
        id: String? = nil, matchers: [SilenceMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String,
        comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }

    enum CodingKeys: String, CodingKey {
        case id, matchers, startsAt, endsAt, createdBy, comment
    }

    enum MatcherKeys: String, CodingKey {
        case name, value, isRegex, isEqual
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decodeIfPresent(String.self, forKey: .id)
        self.id = id?.isEmpty == false ? id : nil
        var list = try c.nestedUnkeyedContainer(forKey: .matchers)
        var matchers: [SilenceMatcher] = []
        while !list.isAtEnd {
            let m = try list.nestedContainer(keyedBy: MatcherKeys.self)
            matchers.append(
                SilenceMatcher(
                    name: try m.decode(String.self, forKey: .name), value: try m.decode(String.self, forKey: .value),
                    isRegex: try m.decode(Bool.self, forKey: .isRegex),
                    isEqual: try m.decodeIfPresent(Bool.self, forKey: .isEqual) ?? true))
        }
        self.matchers = matchers
        startsAt = try c.decodeRFC3339(forKey: .startsAt)
        endsAt = try c.decodeRFC3339(forKey: .endsAt)
        createdBy = try c.decode(String.self, forKey: .createdBy)
        comment = try c.decode(String.self, forKey: .comment)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        var list = c.nestedUnkeyedContainer(forKey: .matchers)
        for matcher in matchers {
            var m = list.nestedContainer(keyedBy: MatcherKeys.self)
            try m.encode(matcher.name, forKey: .name)
            try m.encode(matcher.value, forKey: .value)
            try m.encode(matcher.isRegex, forKey: .isRegex)
            try m.encode(matcher.isEqual, forKey: .isEqual)
        }
        try c.encode(startsAt.rfc3339, forKey: .startsAt)
        try c.encode(endsAt.rfc3339, forKey: .endsAt)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(comment, forKey: .comment)
    }

    /// Refuses what Alertmanager refuses: no matchers, an empty label name, a bad regex, only matchers that
    /// select alerts lacking the label (they would silence everything), an end before the start or in the past.
    public func validate(now: Timestamp) throws(SilenceMatcherError) {
        guard !matchers.isEmpty else {
            throw SilenceMatcherError("matchers is empty: a silence needs at least one, e.g. alertname=\"DiskFull\"")
        }
        for matcher in matchers {
            guard !matcher.name.isEmpty else { throw SilenceMatcherError("a matcher has an empty name") }
            if let problem = matcher.regexProblem { throw SilenceMatcherError("matcher \(matcher.name): \(problem)") }
        }
        guard !matchers.allSatisfy(\.matchesEmpty) else {
            throw SilenceMatcherError(
                "every matcher also matches alerts without the label, so the silence would mute everything: "
                    + "add a matcher that needs a non-empty value")
        }
        guard startsAt.isValid, endsAt.isValid else {
            throw SilenceMatcherError("startsAt and endsAt must be between the years 0001 and 9999")
        }
        guard endsAt >= startsAt else {
            throw SilenceMatcherError(
                "endsAt \(endsAt.rfc3339) is before startsAt \(startsAt.rfc3339): the silence would never start")
        }
        guard endsAt > now else {
            throw SilenceMatcherError("endsAt \(endsAt.rfc3339) is in the past: a silence must end after now")
        }
        guard !createdBy.allSatisfy(\.isWhitespace) else {
            throw SilenceMatcherError("createdBy is empty: say who silences, for the timeline")
        }
    }
}
