// The JSON shapes of SPEC §8: snake_case keys, RFC 3339 UTC times, `INC-n` ids, null for unset times.

extension Incident: Codable {
    enum CodingKeys: String, CodingKey {
        case id, title, kind, state, impact, urgency, priority, rule, labels, alerts, events, flapping, escalation
        case silenced
        case groupKey = "group_key"
        case openedAt = "opened_at"
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
        case resolvedAt = "resolved_at"
        case closedAt = "closed_at"
    }

    enum EscalationKeys: String, CodingKey {
        case policy, step, round
        case nextAt = "next_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(kind, forKey: .kind)
        try c.encode(state, forKey: .state)
        try c.encode(impact, forKey: .impact)
        try c.encode(urgency, forKey: .urgency)
        try c.encode(priority, forKey: .priority)
        try c.encode(rule, forKey: .rule)
        try c.encode(groupKey, forKey: .groupKey)
        try c.encode(labels, forKey: .labels)
        try c.encode(alerts, forKey: .alerts)
        try c.encode(events, forKey: .events)
        try c.encode(flapping, forKey: .flapping)
        try c.encode(silenced, forKey: .silenced)
        if let escalation {
            var e = c.nestedContainer(keyedBy: EscalationKeys.self, forKey: .escalation)
            try e.encode(escalation.policy, forKey: .policy)
            try e.encode(escalation.step, forKey: .step)
            try e.encode(escalation.round, forKey: .round)
            try e.encode(escalation.nextAt?.rfc3339, forKey: .nextAt)
        } else {
            try c.encodeNil(forKey: .escalation)
        }
        try c.encode(openedAt.rfc3339, forKey: .openedAt)
        try c.encode(acknowledgedAt?.rfc3339, forKey: .acknowledgedAt)
        try c.encode(acknowledgedBy, forKey: .acknowledgedBy)
        try c.encode(resolvedAt?.rfc3339, forKey: .resolvedAt)
        try c.encode(closedAt?.rfc3339, forKey: .closedAt)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        guard let number = Incident.number(from: id) else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: c, debugDescription: "not an incident id: \(id)")
        }
        func time(_ key: CodingKeys) throws -> Timestamp? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let t = Timestamp(rfc3339: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not RFC 3339: \(text)")
            }
            return t
        }
        var escalation: Escalation?
        if (try? c.decodeNil(forKey: .escalation)) == false {
            let e = try c.nestedContainer(keyedBy: EscalationKeys.self, forKey: .escalation)
            escalation = Escalation(
                policy: try e.decode(String.self, forKey: .policy),
                step: try e.decodeIfPresent(Int.self, forKey: .step),
                round: try e.decode(Int.self, forKey: .round),
                nextAt: try e.decodeIfPresent(String.self, forKey: .nextAt).flatMap { Timestamp(rfc3339: $0) })
        }
        self.init(
            number: number, title: try c.decode(String.self, forKey: .title),
            kind: try c.decode(IncidentKind.self, forKey: .kind),
            state: try c.decode(IncidentState.self, forKey: .state),
            impact: try c.decode(Impact.self, forKey: .impact), urgency: try c.decode(Urgency.self, forKey: .urgency),
            priority: try c.decode(Priority.self, forKey: .priority), rule: try c.decode(String.self, forKey: .rule),
            groupKey: try c.decode(String.self, forKey: .groupKey), labels: try c.decode(Labels.self, forKey: .labels),
            alerts: try c.decode(Int.self, forKey: .alerts), events: try c.decode(Int.self, forKey: .events),
            flapping: try c.decode(Bool.self, forKey: .flapping), escalation: escalation,
            openedAt: try time(.openedAt) ?? .zero, acknowledgedAt: try time(.acknowledgedAt),
            acknowledgedBy: try c.decodeIfPresent(String.self, forKey: .acknowledgedBy),
            resolvedAt: try time(.resolvedAt), closedAt: try time(.closedAt),
            silenced: try c.decodeIfPresent(Bool.self, forKey: .silenced) ?? false)
    }
}

extension AlertSnapshot: Encodable {
    enum CodingKeys: String, CodingKey {
        case fingerprint, labels, annotations, status, events, suppressed
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(labels, forKey: .labels)
        try c.encode(annotations, forKey: .annotations)
        try c.encode(status, forKey: .status)
        try c.encode(firstSeen.rfc3339, forKey: .firstSeen)
        try c.encode(lastSeen.rfc3339, forKey: .lastSeen)
        try c.encode(events, forKey: .events)
        try c.encode(suppressed, forKey: .suppressed)
    }
}

extension TimelineEntry: Encodable {
    enum CodingKeys: String, CodingKey { case at, type, detail }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at.rfc3339, forKey: .at)
        try c.encode(type, forKey: .type)
        try c.encode(detail, forKey: .detail)
    }
}
