import IncidentCore

/// Why a rule set treats an event as it does, for people: the deciding rule, the alert's labels, the incident it
/// would belong to and how that is rated and escalated. `incidentctl rules explain` prints `text`; the daemon's
/// `POST /api/v1/rules/explain` returns `explanation`. One code path, so both always agree with the engine
/// (they use the same `match` and `classify`).
public struct RuleExplanation: Sendable {
    /// The lines `incidentctl rules explain` prints for the event, indented by two spaces.
    public let text: String
    /// The same as data (its JSON is `rules explain --json`).
    public let explanation: EventExplanation

    /// Explains `event` against `ruleSet`.
    /// - Parameters:
    ///   - sourceOverride: the source the event is taken to come from, in place of its own.
    ///   - trace: also list every rule tried before the deciding one and why each did not match.
    public init(event original: Event, ruleSet: RuleSet, sourceOverride: EventSource? = nil, trace: Bool = false) {
        var event = original
        if let sourceOverride { event.source = sourceOverride }
        var explanation = EventExplanation(
            inputLabels: event.labels, source: event.source, status: event.status, trace: nil, match: nil)
        var lines = [
            "  labels:       \(event.labels)", "  source:       \(event.source.rawValue), \(event.status.rawValue)",
        ]
        if trace {
            let steps = ruleSet.trace(event)
            explanation.trace = steps.map {
                EventExplanation.TraceStep(rule: ruleSet.rules[$0.ruleIndex].name, failure: $0.failure)
            }
            lines.append("  tried:")
            for step in steps {
                let rule = ruleSet.rules[step.ruleIndex]
                let verdict =
                    step.failure.map { "no: \($0)" }
                    ?? (rule.continue ? "yes (continue: adds its labels)" : "yes: decides")
                lines.append("    \(rule.name) (\(rule.location)): \(verdict)")
            }
        }
        let match = ruleSet.match(event)
        guard let index = match.ruleIndex else {
            lines.append("  rule:         none matches: the event is counted as unmatched and logged, not lost")
            self.text = lines.joined(separator: "\n")
            self.explanation = explanation
            return
        }
        let c = ruleSet.classify(event, match: match, ruleIndex: index)
        let rule = c.rule
        lines[0] = "  labels:       \(c.labels)"
        lines.insert("  rule:         \(rule.name)  (\(rule.location))", at: 0)
        if !c.enrichedBy.isEmpty { lines.append("  enriched by:  \(c.enrichedBy.joined(separator: ", "))") }
        if !c.extracted.isEmpty { lines.append("  extracted:    \(c.extracted)") }
        var matched = EventExplanation.Match(
            rule: rule.name, ruleLocation: rule.location.description, labels: c.labels, extracted: c.extracted,
            enrichedBy: c.enrichedBy, fingerprint: c.fingerprint, incident: nil)
        if rule.drop {
            lines.append("  action:       drop: the event is counted and discarded (noise)")
            explanation.match = matched
            self.text = lines.joined(separator: "\n")
            self.explanation = explanation
            return
        }
        let policy = ruleSet.policy(for: rule, priority: c.priority)
        lines += [
            "  fingerprint:  \(c.fingerprint)",
            "  kind:         \(c.kind.rawValue)",
            "  impact:       \(c.impact.rawValue)\(Self.impactNote(rule))",
            "  urgency:      \(c.urgency.rawValue)\(rule.urgency == nil ? " (from severity=\(c.labels["severity"] ?? "none"))" : " (set by the rule)")",
            "  priority:     \(c.priority.rawValue)",
            "  group key:    \(c.groupKey)",
            "  title:        \(c.title)",
            "  escalation:   \(policy.map(\.name) ?? "none (no policy for \(c.priority.rawValue))")",
        ]
        var threshold: EventExplanation.Threshold?
        if let t = rule.threshold {
            let what = t.distinctLabel.map { "distinct values of \($0)" } ?? "events"
            lines.append("  threshold:    opens after \(t.count) \(what) within \(DurationText.format(t.within))")
            threshold = EventExplanation.Threshold(
                count: t.count, within: DurationText.format(t.within), distinctLabel: t.distinctLabel)
        }
        let inhibitors = ruleSet.inhibits.filter {
            $0.targetMatches(
                Event(
                    labels: c.labels, annotations: event.annotations, source: event.source, receivedAt: event.receivedAt
                ))
        }
        if !inhibitors.isEmpty {
            lines.append(
                "  inhibited by: \(inhibitors.map { "\($0.name) (while an open incident matches \($0.source.map(\.description).joined(separator: ", ")) with equal \($0.equal.joined(separator: ", ")))" }.joined(separator: "; "))"
            )
        }
        // Correlation across rules (SPEC §13): the groups this rule is in, and the keys its alert would join under.
        var correlations: [EventExplanation.CorrelationJoin] = []
        for g in ruleSet.correlationOfRule[rule.name] ?? [] {
            let group = ruleSet.correlations[g]
            let others = group.rules.filter { $0 != rule.name }.joined(separator: ", ")
            let joins = group.key(c.labels) != nil
            if joins {
                let on = group.on.map { "\($0)=\(c.labels[$0] ?? "")" }.joined(separator: ", ")
                lines.append(
                    "  correlation:  group '\(group.name)': joins an open incident of \(rule.name), \(others) with \(on) whose last alert is within \(DurationText.format(group.within)); else it opens one they join"
                )
            } else {
                let missing = group.on.filter { (c.labels[$0] ?? "").isEmpty }.joined(separator: ", ")
                lines.append(
                    "  correlation:  group '\(group.name)' needs \(missing), which this event lacks: it joins no other rule's incident through it"
                )
            }
            correlations.append(
                EventExplanation.CorrelationJoin(
                    group: group.name, on: group.on, within: DurationText.format(group.within), joins: joins))
        }
        matched.incident = EventExplanation.IncidentOutcome(
            kind: c.kind, impact: c.impact, urgency: c.urgency, priority: c.priority, groupKey: c.groupKey,
            title: c.title, escalation: policy?.name, threshold: threshold, inhibitedBy: inhibitors.map(\.name),
            correlations: correlations)
        explanation.match = matched
        self.text = lines.joined(separator: "\n")
        self.explanation = explanation
    }

    /// How a `count_distinct` impact grows; "" for a fixed impact.
    static func impactNote(_ rule: Rule) -> String {
        guard case .countDistinct(let label, let medium, let high) = rule.impact else { return "" }
        return " (grows with distinct \(label): medium at \(medium), high at \(high))"
    }
}
