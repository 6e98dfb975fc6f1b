/// What the loaded rules make of one event: the rule that decides it, the alert's labels and the incident it
/// would belong to (`incidentctl rules explain --json`, `POST /api/v1/rules/explain`, the console's "explain
/// this event" form). IncidentRules' `RuleExplanation` computes it; this is its data, free of the rule types
/// so that the server and the web pages can carry it.
public struct EventExplanation: Sendable, Hashable {
    /// The event's labels as received, before extraction and enrichment.
    public var inputLabels: Labels
    public var source: EventSource
    public var status: EventStatus
    /// Every rule tried up to the deciding one; nil unless a trace was asked for.
    public var trace: [TraceStep]?
    /// The deciding rule; nil when no rule matches (the event is counted as unmatched).
    public var match: Match?

    public init(inputLabels: Labels, source: EventSource, status: EventStatus, trace: [TraceStep]?, match: Match?) {
        self.inputLabels = inputLabels
        self.source = source
        self.status = status
        self.trace = trace
        self.match = match
    }

    /// One rule tried: whether it matched, and if not, why.
    public struct TraceStep: Sendable, Hashable {
        public var rule: String
        /// Why it did not match; nil when it did.
        public var failure: String?

        public init(rule: String, failure: String?) {
            self.rule = rule
            self.failure = failure
        }
    }

    /// The deciding rule and the alert it makes of the event.
    public struct Match: Sendable, Hashable {
        public var rule: String
        /// `file:line:column` of the rule.
        public var ruleLocation: String
        /// The alert's labels after extraction and enrichment.
        public var labels: Labels
        /// The labels `extract` took from the event.
        public var extracted: Labels
        /// The `continue` rules that added labels, in order.
        public var enrichedBy: [String]
        public var fingerprint: Fingerprint
        /// The incident the alert would belong to; nil when the rule drops the event.
        public var incident: IncidentOutcome?

        public init(
            rule: String, ruleLocation: String, labels: Labels, extracted: Labels, enrichedBy: [String],
            fingerprint: Fingerprint, incident: IncidentOutcome?
        ) {
            self.rule = rule
            self.ruleLocation = ruleLocation
            self.labels = labels
            self.extracted = extracted
            self.enrichedBy = enrichedBy
            self.fingerprint = fingerprint
            self.incident = incident
        }
    }

    /// How the incident of a kept alert is rated, grouped and escalated.
    public struct IncidentOutcome: Sendable, Hashable {
        public var kind: IncidentKind
        public var impact: Impact
        public var urgency: Urgency
        public var priority: Priority
        public var groupKey: String
        public var title: String
        /// The escalation policy's name; nil when no policy covers the priority.
        public var escalation: String?
        /// The rule's threshold, if it has one.
        public var threshold: Threshold?
        /// The inhibit rules whose target the alert is.
        public var inhibitedBy: [String]
        /// The correlation groups of the rule (SPEC §13).
        public var correlations: [CorrelationJoin]

        public init(
            kind: IncidentKind, impact: Impact, urgency: Urgency, priority: Priority, groupKey: String, title: String,
            escalation: String?, threshold: Threshold?, inhibitedBy: [String], correlations: [CorrelationJoin]
        ) {
            self.kind = kind
            self.impact = impact
            self.urgency = urgency
            self.priority = priority
            self.groupKey = groupKey
            self.title = title
            self.escalation = escalation
            self.threshold = threshold
            self.inhibitedBy = inhibitedBy
            self.correlations = correlations
        }
    }

    /// A rule's threshold: the incident opens after `count` events (or distinct values of a label) within
    /// `within`.
    public struct Threshold: Sendable, Hashable {
        public var count: Int
        /// As operators write it (`5m`).
        public var within: String
        public var distinctLabel: String?

        public init(count: Int, within: String, distinctLabel: String?) {
            self.count = count
            self.within = within
            self.distinctLabel = distinctLabel
        }
    }

    /// A correlation group of the rule, and whether this alert carries the labels to join through it.
    public struct CorrelationJoin: Sendable, Hashable {
        public var group: String
        public var on: [String]
        /// As operators write it (`10m`).
        public var within: String
        public var joins: Bool

        public init(group: String, on: [String], within: String, joins: Bool) {
            self.group = group
            self.on = on
            self.within = within
            self.joins = joins
        }
    }
}
