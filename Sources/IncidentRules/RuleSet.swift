import IncidentCore

/// An immutable, compiled set of rules, inhibitions and escalation policies, ready to match events.
///
/// Matching is not a scan of every rule: each rule with an exact matcher (`alertname="X"`,
/// `identifier=~"sshd|sudo"`) is indexed under that name and value, so an event only tries the rules indexed
/// under its own values plus the few without any exact matcher, in rule order. 1,000 rules keyed on
/// `alertname` cost about what 10 do.
public struct RuleSet: Sendable {
    public let rules: [Rule]
    public let inhibits: [InhibitRule]
    public let policies: [String: EscalationPolicy]
    public let escalationByPriority: [Priority: String]
    public let priorityMatrix: PriorityMatrix
    /// `users:` by name (SPEC §12).
    public let users: [String: Person]
    /// `schedules:` by name (SPEC §12).
    public let schedules: [String: OnCallSchedule]
    /// `maintenance:` windows, in file order (SPEC §11).
    public let maintenance: [MaintenanceWindow]
    /// `correlate:` groups (SPEC §13), and the groups of each rule in any, in file order.
    public let correlations: [Correlation]
    public let correlationOfRule: [String: [Int]]
    /// The files the set was compiled from, in load order.
    public let files: [String]
    let index: RuleIndex

    public init(
        rules: [Rule], inhibits: [InhibitRule] = [], policies: [String: EscalationPolicy] = [:],
        escalationByPriority: [Priority: String] = [:], priorityMatrix: PriorityMatrix = .itil, files: [String] = [],
        users: [String: Person] = [:], schedules: [String: OnCallSchedule] = [:], maintenance: [MaintenanceWindow] = [],
        correlations: [Correlation] = []
    ) {
        self.correlations = correlations
        var ofRule: [String: [Int]] = [:]
        for (i, group) in correlations.enumerated() {
            for rule in Set(group.rules) { ofRule[rule, default: []].append(i) }
        }
        correlationOfRule = ofRule
        self.users = users
        self.schedules = schedules
        self.maintenance = maintenance
        self.rules = rules
        self.inhibits = inhibits
        self.policies = policies
        self.escalationByPriority = escalationByPriority
        self.priorityMatrix = priorityMatrix
        self.files = files
        index = RuleIndex(rules)
    }

    public static let empty = RuleSet(rules: [])

    /// The outcome of matching one event.
    public struct Match: Sendable {
        /// The deciding rule's index, nil when no rule without `continue` matched.
        public var ruleIndex: Int?
        /// Rules with `continue` that matched before the deciding one (they enrich the labels).
        public var enrichedBy: [Int]
        /// The event's labels with every extracted label added.
        public var labels: Labels
        /// Just the labels that extraction added.
        public var extracted: Labels

        public init(ruleIndex: Int?, enrichedBy: [Int], labels: Labels, extracted: Labels) {
            self.ruleIndex = ruleIndex
            self.enrichedBy = enrichedBy
            self.labels = labels
            self.extracted = extracted
        }
    }

    /// Finds the deciding rule for the event: the first matching rule without `continue`, in file and rule
    /// order. Rules with `continue` that match on the way add their extracted labels, which later rules see.
    public func match(_ event: Event) -> Match {
        // An unsafe buffer's subscript borrows the rule in place; the array's copies the whole struct.
        rules.withUnsafeBufferPointer { rules in match(event, rules: rules) }
    }

    func match(_ event: Event, rules: UnsafeBufferPointer<Rule>) -> Match {
        // The event with the labels `continue` rules extracted, once one has: until then the event is read where
        // it is (a copy of it retained all its labels, for every event).
        var enriched: Event?
        var extracted = Labels()
        var enrichedBy: [Int] = []
        var candidates = index.candidates(for: event)
        var position = 0
        while position < candidates.count {
            let ruleIndex = candidates[position]
            position += 1
            // Only the two arrays are taken from the rule: calling methods on the struct copied all of it.
            let captures =
                if let enriched {
                    Rule.verdict(rules[ruleIndex].matchers, rules[ruleIndex].extract, enriched)
                } else {
                    Rule.verdict(rules[ruleIndex].matchers, rules[ruleIndex].extract, event)
                }
            guard let captures else { continue }
            if !rules[ruleIndex].continue {
                // The rule that decides: its labels are the event's (as enriched so far) with its captures; the
                // event itself is not copied (a copy retained all it holds, for every event).
                var labels = enriched?.labels ?? event.labels
                if !captures.isEmpty {
                    labels.set(captures)
                    extracted.set(captures)
                }
                return Match(ruleIndex: ruleIndex, enrichedBy: enrichedBy, labels: labels, extracted: extracted)
            }
            if !captures.isEmpty {
                if enriched == nil { enriched = event }
                enriched!.labels.set(captures)
                extracted.set(captures)
            }
            enrichedBy.append(ruleIndex)
            if !captures.isEmpty {
                // New labels can make rules indexed under them candidates.
                candidates = index.candidates(for: enriched!).filter { $0 > ruleIndex }
                position = 0
            }
        }
        return Match(
            ruleIndex: nil, enrichedBy: enrichedBy, labels: enriched?.labels ?? event.labels, extracted: extracted)
    }

    /// One rule's verdict in a trace.
    public struct TraceStep: Sendable {
        public var ruleIndex: Int
        /// Nil when the rule matched; otherwise why not.
        public var failure: String?
    }

    /// Every rule in order up to the deciding one, with why each did not match: for `explain --trace`. Slow
    /// on purpose (no index), so it shows rules the index would skip too.
    public func trace(_ event: Event) -> [TraceStep] {
        var current = event
        var steps: [TraceStep] = []
        for (i, rule) in rules.enumerated() {
            if let failed = rule.matchers.first(where: { !$0.matches(current) }) {
                let seen = current.value(for: failed.name).map { quoted($0) } ?? "nothing (no such label or annotation)"
                steps.append(TraceStep(ruleIndex: i, failure: "\(failed) does not hold: \(failed.name) is \(seen)"))
                continue
            }
            guard let captures = rule.extractedLabels(current) else {
                let fields = rule.extract.map(\.field).joined(separator: ", ")
                steps.append(TraceStep(ruleIndex: i, failure: "its extract pattern does not match \(fields)"))
                continue
            }
            steps.append(TraceStep(ruleIndex: i, failure: nil))
            for (name, value) in captures { current.labels[name] = value }
            if !rule.continue { break }
        }
        return steps
    }

    /// The policy for an incident: the rule's own, else the one for its priority; nil when none is defined.
    public func policy(for rule: Rule, priority: Priority) -> EscalationPolicy? {
        if let name = rule.escalation { return policies[name] }
        if let name = escalationByPriority[priority] { return policies[name] }
        return escalationByPriority.isEmpty ? policies["default"] : nil
    }

    /// Every notifier name the policies can send to: the plain names in their steps and every notifier a user
    /// lists (never the `user:`/`schedule:` targets themselves).
    public var notifierNames: Set<String> {
        var names = Set(users.values.flatMap(\.notify))
        for policy in policies.values {
            for step in policy.steps {
                for target in step.notify {
                    if case .notifier(let name) = StepTarget(target) { names.insert(name) }
                }
            }
        }
        return names
    }
}

/// The exact-value index behind `RuleSet.match`.
///
/// Each indexed list already has the unindexed rules merged in, so the usual event (one indexed label, such
/// as its alertname) gets its candidate list without any allocation.
struct RuleIndex: Sendable {
    /// Per indexed label name (sorted by name): value → rule indexes, ascending, unindexed rules included.
    let tables: [(name: String, values: [String: [Int]])]
    /// Rules without an indexable matcher (ascending).
    let unindexed: [Int]

    init(_ rules: [Rule]) {
        // Labels that some rule extracts can appear mid-match; indexing on them would hide rules.
        let extractedNames = Set(rules.flatMap { $0.extract.flatMap(\.pattern.captureNames) })
        var byValue: [String: [String: [Int]]] = [:]
        var unindexed: [Int] = []
        for (i, rule) in rules.enumerated() {
            // Prefer the matcher with the fewest values: alertname, identifier, unit, ...
            let indexable = rule.matchers.filter { !extractedNames.contains($0.name) && $0.indexValues != nil }
            guard let key = indexable.min(by: { $0.indexValues!.count < $1.indexValues!.count }) else {
                unindexed.append(i)
                continue
            }
            for value in Set(key.indexValues!) { byValue[key.name, default: [:]][value, default: []].append(i) }
        }
        tables = byValue.keys.sorted().map { name in
            (name, byValue[name]!.mapValues { Array(Set($0 + unindexed)).sorted() })
        }
        self.unindexed = unindexed
    }

    func candidates(for event: Event) -> [Int] {
        var first: [Int]?
        var more: [[Int]] = []
        for table in tables {
            guard let value = event.value(for: table.name), let hit = table.values[value] else { continue }
            if first == nil { first = hit } else { more.append(hit) }
        }
        guard let first else { return unindexed }
        if more.isEmpty { return first }
        return Array(Set(first).union(more.joined())).sorted()
    }
}
