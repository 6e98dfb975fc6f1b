import IncidentCore

/// One correlation rule, compiled (SPEC §5).
public struct Rule: Sendable {
    /// How the impact of an incident is decided.
    public enum ImpactSpec: Sendable, Hashable {
        case fixed(Impact)
        /// Impact grows with the number of distinct values of `label` among the incident's alerts.
        case countDistinct(label: String, medium: Int, high: Int)

        public func impact(distinct: Int) -> Impact {
            switch self {
            case .fixed(let impact): impact
            case .countDistinct(_, let medium, let high):
                distinct >= high ? .high : distinct >= medium ? .medium : .low
            }
        }
    }

    /// Open only when enough matching events arrive within a window.
    public struct Threshold: Sendable, Hashable {
        public var count: Int
        /// Count distinct values of this label instead of events.
        public var distinctLabel: String?
        public var within: Duration
    }

    public struct Flapping: Sendable, Hashable {
        public var reopens: Int
        public var within: Duration
    }

    /// At most `incidents` new incidents of this rule within `within`; past it, new alerts of the rule gather
    /// in one incident of its own instead of opening (and paging) one each.
    public struct RateLimit: Sendable, Hashable {
        public var incidents: Int
        public var within: Duration

        public init(incidents: Int, within: Duration) {
            self.incidents = incidents
            self.within = within
        }
    }

    public var name: String
    public var location: SourceLocation
    public var matchers: [Matcher]
    /// `field → pattern`: named captures become labels of the alert.
    public var extract: [(field: String, pattern: Pattern)]
    public var kind: IncidentKind
    public var impact: ImpactSpec
    /// Nil: from the alert's `severity`.
    public var urgency: Urgency?
    /// Nil: all labels (one incident per alert).
    public var groupBy: [String]?
    public var groupWindow: Duration
    public var threshold: Threshold?
    /// Nil: the source's default (1h for journal events, none otherwise).
    public var resolveAfter: Duration?
    /// Set explicitly to `0s`/`off`: never auto-resolve, even for journal events.
    public var resolveAfterDisabled: Bool
    public var reopenWithin: Duration
    public var closeAfter: Duration
    public var flapping: Flapping?
    public var rateLimit: RateLimit?
    /// Nil: by priority (`escalation_by_priority`).
    public var escalation: String?
    public var title: Template?
    /// Where to read what to do about its incidents (`runbook:`); shown with each incident.
    public var runbook: Runbook?
    public var drop: Bool
    public var `continue`: Bool

    public init(name: String, location: SourceLocation, matchers: [Matcher]) {
        self.name = name
        self.location = location
        self.matchers = matchers
        extract = []
        kind = .degradation
        impact = .fixed(.medium)
        urgency = nil
        groupBy = nil
        groupWindow = .seconds(3600)
        threshold = nil
        resolveAfter = nil
        resolveAfterDisabled = false
        reopenWithin = .seconds(600)
        closeAfter = .seconds(86_400)
        flapping = nil
        rateLimit = nil
        escalation = nil
        title = nil
        runbook = nil
        drop = false
        self.continue = false
    }

    public static let defaultJournalResolveAfter: Duration = .seconds(3600)

    /// The quiet time after which an alert of this source resolves by itself, if any.
    public func resolveAfter(for source: EventSource) -> Duration? {
        if resolveAfterDisabled { return nil }
        if let resolveAfter { return resolveAfter }
        return source == .journal ? Rule.defaultJournalResolveAfter : nil
    }

    /// Whether every matcher holds for the event.
    public func matches(_ event: Event) -> Bool { Rule.matches(matchers, event) }

    static func matches(_ matchers: [Matcher], _ event: Event) -> Bool {
        // In place: a for-in loop copied each matcher (its name, value and pattern retained) for every event.
        matchers.withUnsafeBufferPointer { matchers in
            for i in matchers.indices where !matchers[i].matches(event) { return false }
            return true
        }
    }

    /// The labels `extract` takes from the event, or nil when a pattern does not match (the rule then does not
    /// match either: an extract is part of the rule's condition).
    public func extractedLabels(_ event: Event) -> [(String, String)]? { Rule.extractedLabels(extract, event) }

    /// The labels a rule with these matchers and extracts takes from the event, or nil when it does not match it.
    static func verdict(
        _ matchers: [Matcher], _ extract: [(field: String, pattern: Pattern)], _ event: Event
    ) -> [(String, String)]? {
        guard matches(matchers, event) else { return nil }
        return extractedLabels(extract, event)
    }

    static func extractedLabels(_ extract: [(field: String, pattern: Pattern)], _ event: Event) -> [(String, String)]? {
        if extract.isEmpty { return [] }
        // In place: a for-in loop, and even the array's subscript, copied each (field, pattern) pair (and retained
        // all it holds) for every event.
        return extract.withUnsafeBufferPointer { extract in
            // One pattern, the common case: its captures are the result.
            if extract.count == 1 { return extract[0].pattern.captures(in: event.value(for: extract[0].field) ?? "") }
            var result: [(String, String)] = []
            for i in extract.indices {
                guard let captures = extract[i].pattern.captures(in: event.value(for: extract[i].field) ?? "") else {
                    return nil
                }
                result.append(contentsOf: captures)
            }
            return result
        }
    }

    /// The labels a matching event is sure to carry with a value (for template checks).
    var providedLabels: Set<String> {
        var names = Set(matchers.filter(\.providesValue).map(\.name))
        for (_, pattern) in extract { names.formUnion(pattern.captureNames) }
        if matchers.contains(where: { $0.name == "source" && $0.op == .equal && $0.value == "journal" }) {
            names.formUnion(["host", "identifier", "priority", "severity", "source"])
        }
        return names
    }
}
