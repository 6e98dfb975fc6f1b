/// Who is on call for one schedule (SPEC §12), as `GET /api/v1/oncall` and `incidentctl oncall --json` show it.
public struct OnCallStatus: Sendable, Hashable, Codable {
    public var name: String
    /// The IANA time zone the schedule's handoffs are in.
    public var timezone: String
    /// The shift covering the asked time; nil before the rotation starts.
    public var now: OnCallShift?
    /// The shift after it.
    public var next: OnCallShift?

    public init(name: String, timezone: String, now: OnCallShift?, next: OnCallShift?) {
        self.name = name
        self.timezone = timezone
        self.now = now
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case name, timezone, now, next }
    enum ShiftKeys: String, CodingKey { case user, start, end, override }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        timezone = try c.decode(String.self, forKey: .timezone)
        func shift(_ key: CodingKeys) throws -> OnCallShift? {
            guard try c.decodeNil(forKey: key) == false else { return nil }
            let s = try c.nestedContainer(keyedBy: ShiftKeys.self, forKey: key)
            return OnCallShift(
                user: try s.decode(String.self, forKey: .user), start: try s.decodeRFC3339(forKey: .start),
                end: try s.decodeRFC3339(forKey: .end), isOverride: try s.decode(Bool.self, forKey: .override))
        }
        now = try c.contains(.now) ? shift(.now) : nil
        next = try c.contains(.next) ? shift(.next) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(timezone, forKey: .timezone)
        for (key, shift) in [(CodingKeys.now, now), (.next, next)] {
            guard let shift else {
                try c.encodeNil(forKey: key)
                continue
            }
            var s = c.nestedContainer(keyedBy: ShiftKeys.self, forKey: key)
            try s.encode(shift.user, forKey: .user)
            try s.encode(shift.start.rfc3339, forKey: .start)
            try s.encode(shift.end.rfc3339, forKey: .end)
            try s.encode(shift.isOverride, forKey: .override)
        }
    }
}
