// One flat object, as `incidentctl rules explain --json` has always printed it: `input_labels`, `source`,
// `status`, `trace` (when asked: `rule`, `matched`, `why_not`), `rule` (null when none matches); with a rule
// also `rule_location`, `labels`, `extracted`, `enriched_by`, `fingerprint`, `drop`; for a kept alert also
// `kind`, `impact`, `urgency`, `priority`, `group_key`, `title`, `escalation` (null when none),
// `inhibited_by`, `correlations` (`group`, `on`, `within`, `joins`) and `threshold` when the rule has one
// (`count`, `within`, `distinct`).

extension EventExplanation: Codable {
    enum CodingKeys: String, CodingKey {
        case inputLabels = "input_labels"
        case source, status, trace, rule
        case ruleLocation = "rule_location"
        case labels, extracted
        case enrichedBy = "enriched_by"
        case fingerprint, drop, kind, impact, urgency, priority
        case groupKey = "group_key"
        case title, escalation, threshold
        case inhibitedBy = "inhibited_by"
        case correlations
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputLabels, forKey: .inputLabels)
        try c.encode(source, forKey: .source)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(trace, forKey: .trace)
        guard let match else {
            try c.encodeNil(forKey: .rule)
            return
        }
        try c.encode(match.rule, forKey: .rule)
        try c.encode(match.ruleLocation, forKey: .ruleLocation)
        try c.encode(match.labels, forKey: .labels)
        try c.encode(match.extracted, forKey: .extracted)
        try c.encode(match.enrichedBy, forKey: .enrichedBy)
        try c.encode(match.fingerprint, forKey: .fingerprint)
        try c.encode(match.incident == nil, forKey: .drop)
        guard let incident = match.incident else { return }
        try c.encode(incident.kind, forKey: .kind)
        try c.encode(incident.impact, forKey: .impact)
        try c.encode(incident.urgency, forKey: .urgency)
        try c.encode(incident.priority, forKey: .priority)
        try c.encode(incident.groupKey, forKey: .groupKey)
        try c.encode(incident.title, forKey: .title)
        try c.encode(incident.escalation, forKey: .escalation)
        try c.encodeIfPresent(incident.threshold, forKey: .threshold)
        try c.encode(incident.inhibitedBy, forKey: .inhibitedBy)
        try c.encode(incident.correlations, forKey: .correlations)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var match: Match?
        if let rule = try c.decodeIfPresent(String.self, forKey: .rule) {
            var incident: IncidentOutcome?
            if try c.decodeIfPresent(Bool.self, forKey: .drop) != true {
                incident = IncidentOutcome(
                    kind: try c.decode(IncidentKind.self, forKey: .kind),
                    impact: try c.decode(Impact.self, forKey: .impact),
                    urgency: try c.decode(Urgency.self, forKey: .urgency),
                    priority: try c.decode(Priority.self, forKey: .priority),
                    groupKey: try c.decode(String.self, forKey: .groupKey),
                    title: try c.decode(String.self, forKey: .title),
                    escalation: try c.decodeIfPresent(String.self, forKey: .escalation),
                    threshold: try c.decodeIfPresent(Threshold.self, forKey: .threshold),
                    inhibitedBy: try c.decodeIfPresent([String].self, forKey: .inhibitedBy) ?? [],
                    correlations: try c.decodeIfPresent([CorrelationJoin].self, forKey: .correlations) ?? [])
            }
            match = Match(
                rule: rule, ruleLocation: try c.decode(String.self, forKey: .ruleLocation),
                labels: try c.decode(Labels.self, forKey: .labels),
                extracted: try c.decodeIfPresent(Labels.self, forKey: .extracted) ?? [:],
                enrichedBy: try c.decodeIfPresent([String].self, forKey: .enrichedBy) ?? [],
                fingerprint: try c.decode(Fingerprint.self, forKey: .fingerprint), incident: incident)
        }
        self.init(
            inputLabels: try c.decode(Labels.self, forKey: .inputLabels),
            source: try c.decode(EventSource.self, forKey: .source),
            status: try c.decode(EventStatus.self, forKey: .status),
            trace: try c.decodeIfPresent([TraceStep].self, forKey: .trace), match: match)
    }
}

extension EventExplanation.TraceStep: Codable {
    enum CodingKeys: String, CodingKey {
        case rule, matched
        case whyNot = "why_not"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(failure == nil, forKey: .matched)
        try c.encode(failure ?? "", forKey: .whyNot)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let matched = try c.decode(Bool.self, forKey: .matched)
        self.init(
            rule: try c.decode(String.self, forKey: .rule),
            failure: matched ? nil : try c.decodeIfPresent(String.self, forKey: .whyNot) ?? "")
    }
}

extension EventExplanation.Threshold: Codable {
    enum CodingKeys: String, CodingKey {
        case count, within
        case distinctLabel = "distinct"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(within, forKey: .within)
        try c.encode(distinctLabel, forKey: .distinctLabel)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            count: try c.decode(Int.self, forKey: .count), within: try c.decode(String.self, forKey: .within),
            distinctLabel: try c.decodeIfPresent(String.self, forKey: .distinctLabel))
    }
}

extension EventExplanation.CorrelationJoin: Codable {
    enum CodingKeys: String, CodingKey {
        case group, on, within, joins
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(on, forKey: .on)
        try c.encode(within, forKey: .within)
        try c.encode(joins, forKey: .joins)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            group: try c.decode(String.self, forKey: .group), on: try c.decode([String].self, forKey: .on),
            within: try c.decode(String.self, forKey: .within), joins: try c.decode(Bool.self, forKey: .joins))
    }
}
