import IncidentCore
import Yams

/// What one rule file contributes before the files are combined into a `RuleSet`.
struct RuleFile {
    var rules: [Rule] = []
    var inhibits: [InhibitRule] = []
    var policies: [EscalationPolicy] = []
    var escalationByPriority: [(Priority, String, SourceLocation)] = []
    var escalationByPriorityLocation: SourceLocation?
    var priorityMatrix: [Impact: [Urgency: Priority]]?
    var priorityMatrixLocation: SourceLocation?
    /// Templates whose labels could not be proven present, checked once all rules are known.
    var titleNodes: [String: SourceLocation] = [:]
    /// Where each rule names its escalation policy, so an undefined one is reported there.
    var escalationNodes: [String: SourceLocation] = [:]
    /// Rules whose `match` or `extract` had errors: what is left of their condition may be empty, which must
    /// not make them look like a catch-all to the whole-set checks.
    var brokenConditions: Set<String> = []
    var users: [Person] = []
    var schedules: [OnCallSchedule] = []
    var maintenance: [MaintenanceWindow] = []
    var correlations: [Correlation] = []
    /// Users named by rotations and overrides, checked once every file's `users:` are known.
    var userReferences: [(user: String, at: SourceLocation, what: String)] = []
    /// Where each user's `notify:` list is, so an undefined notifier is reported there.
    var userNotifyNodes: [String: SourceLocation] = [:]
}

/// Reads one rule file (SPEC §5) into a `RuleFile`, reporting every problem it finds.
struct RuleFileParser {
    let reader: YAMLReader

    static let topKeys = [
        "rules", "inhibit", "escalation_policies", "escalation_by_priority", "priority_matrix", "users", "schedules",
        "maintenance", "correlate",
    ]
    static let ruleKeys = [
        "name", "match", "extract", "kind", "impact", "urgency", "group_by", "group_window", "threshold",
        "resolve_after", "reopen_within", "close_after", "flapping", "rate_limit", "escalation", "title", "drop",
        "continue", "runbook",
    ]

    init(file: String, sink: DiagnosticSink) { reader = YAMLReader(file: file, sink: sink) }

    var sink: DiagnosticSink { reader.sink }

    func parse(_ text: String) -> RuleFile {
        var file = RuleFile()
        guard let root = reader.compose(text) else { return file }
        if reader.isNull(root) { return file }  // an empty file is allowed: nothing in it
        guard let top = reader.mapping(root, allowed: Self.topKeys, what: "a rule file") else { return file }
        for (key, _, value) in top {
            switch key {
            case "rules":
                guard let items = reader.list(value, what: "rules") else { continue }
                file.rules = items.compactMap { rule($0, file: &file) }
            case "inhibit":
                guard let items = reader.list(value, what: "inhibit") else { continue }
                file.inhibits = items.compactMap(inhibit)
            case "escalation_policies":
                guard let items = reader.list(value, what: "escalation_policies") else { continue }
                file.policies = items.compactMap(policy)
            case "escalation_by_priority":
                file.escalationByPriorityLocation = reader.location(value)
                escalationByPriority(value, into: &file)
            case "priority_matrix":
                file.priorityMatrixLocation = reader.location(value)
                file.priorityMatrix = priorityMatrix(value)
            case "users":
                guard let items = reader.list(value, what: "users") else { continue }
                file.users = items.compactMap { person($0, file: &file) }
            case "schedules":
                guard let items = reader.list(value, what: "schedules") else { continue }
                file.schedules = items.compactMap { schedule($0, file: &file) }
            case "maintenance":
                guard let items = reader.list(value, what: "maintenance") else { continue }
                file.maintenance = items.compactMap(maintenanceWindow)
            case "correlate":
                guard let items = reader.list(value, what: "correlate") else { continue }
                file.correlations = items.compactMap(correlation)
            default: break
            }
        }
        return file
    }

    // MARK: rules

    func rule(_ node: Node, file: inout RuleFile) -> Rule? {
        guard let pairs = reader.mapping(node, allowed: Self.ruleKeys, what: "a rule") else { return nil }
        let location = reader.location(node)
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let nameNode = values["name"] else {
            sink.error("missing-key", at: location, "this rule has no 'name'; every rule needs a unique name.")
            return nil
        }
        guard let name = reader.string(nameNode, what: "name"), !name.isEmpty else {
            sink.error("missing-key", at: reader.location(nameNode), "the rule name is empty.")
            return nil
        }
        var matchers: [Matcher] = []
        let errorsBefore = sink.errorCount
        if let matchNode = values["match"] {
            matchers = self.matchers(matchNode, what: "match of rule '\(name)'") ?? []
        } else {
            sink.error(
                "missing-key", at: location,
                "rule '\(name)' has no 'match'; write match: [] to match every event (a catch-all).")
        }
        if sink.errorCount > errorsBefore { file.brokenConditions.insert(name) }
        var rule = Rule(name: name, location: reader.location(nameNode), matchers: matchers)
        for (key, _, value) in pairs {
            switch key {
            case "extract":
                let errorsBeforeExtract = sink.errorCount
                rule.extract = extract(value, rule: name)
                if sink.errorCount > errorsBeforeExtract { file.brokenConditions.insert(name) }
            case "kind":
                rule.kind =
                    reader.enumeration(value, IncidentKind.self, what: "kind", code: "unknown-kind") ?? rule.kind
            case "impact":
                rule.impact = impact(value) ?? rule.impact
            case "urgency":
                rule.urgency = reader.enumeration(value, Urgency.self, what: "urgency", code: "unknown-urgency")
            case "group_by":
                if let names = reader.strings(value, what: "group_by") {
                    rule.groupBy = names.compactMap { labelName($0.0, at: $0.1, what: "group_by") }
                }
            case "group_window":
                rule.groupWindow = positiveDuration(value, what: "group_window") ?? rule.groupWindow
            case "threshold":
                rule.threshold = threshold(value)
            case "resolve_after":
                if case .scalar(let s) = value, ["off", "never", "0", "0s"].contains(s.string) {
                    rule.resolveAfterDisabled = true
                } else {
                    rule.resolveAfter = positiveDuration(value, what: "resolve_after")
                }
            case "reopen_within":
                rule.reopenWithin = reader.duration(value, what: "reopen_within") ?? rule.reopenWithin
            case "close_after":
                rule.closeAfter = reader.duration(value, what: "close_after") ?? rule.closeAfter
            case "flapping":
                rule.flapping = flapping(value)
            case "rate_limit":
                rule.rateLimit = rateLimit(value)
            case "escalation":
                rule.escalation = reader.string(value, what: "escalation")
                file.escalationNodes[name] = reader.location(value)
            case "title":
                if let text = reader.string(value, what: "title") {
                    do {
                        rule.title = try Template(text)
                        file.titleNodes[name] = reader.location(value)
                    } catch {
                        sink.error("bad-template", at: reader.location(value), "title: \(error.message).")
                    }
                }
            case "runbook":
                if let text = reader.string(value, what: "runbook") {
                    if let runbook = Runbook(text) {
                        rule.runbook = runbook
                    } else {
                        sink.error(
                            "bad-runbook", at: reader.location(value),
                            "runbook '\(text)' is neither an http:// or https:// URL nor kb:SLUG (an article of the "
                                + "knowledge base, slug of a-z, 0-9 and -); write e.g. "
                                + "runbook: https://wiki.example.org/runbooks/disk-full or runbook: kb:disk-full.")
                    }
                }
            case "drop":
                rule.drop = reader.bool(value, what: "drop") ?? false
            case "continue":
                rule.continue = reader.bool(value, what: "continue") ?? false
            default:
                break  // name and match were read above
            }
        }
        if rule.drop, rule.continue {
            sink.error(
                "conflicting-keys", at: rule.location,
                "rule '\(name)' has both drop: true and continue: true; a dropped event goes no further, remove one.")
        }
        return rule
    }

    func matchers(_ node: Node, what: String) -> [Matcher]? {
        if case .mapping(let mapping) = node {
            // `match: { alertname: HostDown }` is a common first try; show it in matcher syntax.
            let example = mapping.compactMap { key, value -> String? in
                guard let k = key.string, let v = value.string else { return nil }
                return "'\(k)=\(quoted(v))'"
            }
            sink.error(
                "wrong-type", at: reader.location(node),
                "\(what) must be a list of matchers, found a mapping; write [\(example.isEmpty ? "'name=\"value\"'" : example.joined(separator: ", "))]."
            )
            return nil
        }
        guard let items = reader.list(node, what: what) else { return nil }
        var result: [Matcher] = []
        for item in items {
            guard let text = reader.string(item, what: "a matcher") else { continue }
            let base = reader.location(item)
            // Quoted YAML scalars start one column before the text.
            let quoteShift: Int
            if case .scalar(let s) = item, s.style == .singleQuoted || s.style == .doubleQuoted {
                quoteShift = 1
            } else {
                quoteShift = 0
            }
            func location(_ offset: Int) -> SourceLocation {
                SourceLocation(file: base.file, line: base.line, column: base.column + quoteShift + offset)
            }
            do {
                let parsed = try Matcher.parseListNotingTypos(text)
                result.append(contentsOf: parsed.matchers)
                for warning in parsed.warnings {
                    sink.warning(
                        "suspicious-matcher", at: location(warning.offset), "matcher '\(text)': \(warning.message).")
                }
            } catch {
                let at = location(error.offset)
                let code = error.message.hasPrefix("bad regular expression") ? "bad-regex" : "bad-matcher"
                sink.error(code, at: at, "matcher '\(text)': \(error.message).")
            }
        }
        return result
    }

    func extract(_ node: Node, rule: String) -> [(field: String, pattern: Pattern)] {
        guard case .mapping(let mapping) = node else {
            sink.error(
                "wrong-type", at: reader.location(node),
                "extract must map a field to a regex with named groups, e.g. { message: 'from (?<src_ip>\\S+)' }.")
            return []
        }
        var result: [(field: String, pattern: Pattern)] = []
        for (keyNode, valueNode) in mapping {
            guard let field = reader.string(keyNode, what: "an extract field"),
                let source = reader.string(valueNode, what: "an extract pattern")
            else { continue }
            // Checked before compiling: the regex engine reads (?<src-ip>...) as a .NET balancing group and
            // would only say "balanced capture is not currently supported".
            if let bad = Pattern.captureNames(in: source).first(where: { !Self.isLabelName($0) }) {
                sink.error(
                    "bad-label-name", at: reader.location(valueNode),
                    "capture name '\(bad)' in the extract pattern for '\(field)' is not a valid label name (letters, digits and '_', not starting with a digit); write (?<\(Self.labelNameSuggestion(bad))>...)."
                )
                continue
            }
            do {
                let pattern = try Pattern(source, anchored: false)
                if pattern.captureNames.isEmpty {
                    sink.error(
                        "extract-no-capture", at: reader.location(valueNode),
                        "extract pattern for '\(field)' has no named group; name what to keep with (?<label>...).")
                    continue
                }
                result.append((field, pattern))
            } catch {
                sink.error(
                    "bad-regex", at: reader.location(valueNode), "extract pattern for '\(field)': \(error.message).")
            }
        }
        return result
    }

    func impact(_ node: Node) -> Rule.ImpactSpec? {
        if case .scalar = node {
            return reader.enumeration(node, Impact.self, what: "impact", code: "unknown-impact").map { .fixed($0) }
        }
        guard let pairs = reader.mapping(node, allowed: ["count_distinct", "medium", "high"], what: "impact") else {
            return nil
        }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let labelNode = values["count_distinct"], let label = reader.string(labelNode, what: "count_distinct")
        else {
            sink.error(
                "missing-key", at: reader.location(node),
                "impact as a mapping needs count_distinct: LABEL, e.g. { count_distinct: host, medium: 2, high: 5 }.")
            return nil
        }
        let medium = values["medium"].flatMap { reader.int($0, what: "impact.medium", minimum: 1) } ?? 2
        let high = values["high"].flatMap { reader.int($0, what: "impact.high", minimum: 1) } ?? 5
        guard medium <= high else {
            sink.error(
                "out-of-range", at: reader.location(node),
                "impact.medium (\(medium)) must not be above impact.high (\(high)): impact only grows.")
            return nil
        }
        return .countDistinct(label: label, medium: medium, high: high)
    }

    func threshold(_ node: Node) -> Rule.Threshold? {
        guard let pairs = reader.mapping(node, allowed: ["count", "count_distinct", "within"], what: "threshold")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let withinNode = values["within"] else {
            sink.error(
                "missing-key", at: reader.location(node), "threshold needs 'within', e.g. { count: 5, within: 2m }.")
            return nil
        }
        guard let within = positiveDuration(withinNode, what: "threshold.within") else { return nil }
        var distinct: String?
        var count = 1
        if let countNode = values["count"] { count = reader.int(countNode, what: "threshold.count", minimum: 1) ?? 1 }
        if let distinctNode = values["count_distinct"] {
            if case .mapping = distinctNode,
                let inner = reader.mapping(distinctNode, allowed: ["label", "count"], what: "threshold.count_distinct")
            {
                for (key, _, value) in inner {
                    if key == "label" { distinct = reader.string(value, what: "count_distinct.label") }
                    if key == "count" { count = reader.int(value, what: "count_distinct.count", minimum: 1) ?? count }
                }
            } else {
                distinct = reader.string(distinctNode, what: "threshold.count_distinct")
            }
        }
        if values["count"] == nil, distinct == nil {
            sink.error(
                "missing-key", at: reader.location(node),
                "threshold needs 'count' (events) or 'count_distinct' (a label), e.g. { count: 5, within: 2m }.")
            return nil
        }
        return Rule.Threshold(count: count, distinctLabel: distinct, within: within)
    }

    func rateLimit(_ node: Node) -> Rule.RateLimit? {
        guard let pairs = reader.mapping(node, allowed: ["incidents", "within"], what: "rate_limit") else {
            return nil
        }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let countNode = values["incidents"], let withinNode = values["within"] else {
            sink.error(
                "missing-key", at: reader.location(node),
                "rate_limit needs 'incidents' and 'within', e.g. { incidents: 20, within: 1h }.")
            return nil
        }
        guard let count = reader.int(countNode, what: "rate_limit.incidents", minimum: 1),
            let within = positiveDuration(withinNode, what: "rate_limit.within")
        else { return nil }
        return Rule.RateLimit(incidents: count, within: within)
    }

    func flapping(_ node: Node) -> Rule.Flapping? {
        guard let pairs = reader.mapping(node, allowed: ["reopens", "within"], what: "flapping") else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let reopensNode = values["reopens"], let withinNode = values["within"] else {
            sink.error(
                "missing-key", at: reader.location(node),
                "flapping needs both 'reopens' and 'within', e.g. { reopens: 3, within: 1h }.")
            return nil
        }
        guard let reopens = reader.int(reopensNode, what: "flapping.reopens", minimum: 1),
            let within = positiveDuration(withinNode, what: "flapping.within")
        else { return nil }
        return Rule.Flapping(reopens: reopens, within: within)
    }

    func positiveDuration(_ node: Node, what: String) -> Duration? {
        guard let value = reader.duration(node, what: what) else { return nil }
        guard value > .zero else {
            sink.error("out-of-range", at: reader.location(node), "\(what) must be longer than 0s.")
            return nil
        }
        return value
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, MatcherScanner.isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(MatcherScanner.isNameChar)
    }

    /// `src-ip` → `src_ip`, `1st` → `_1st`: the nearest valid label name.
    static func labelNameSuggestion(_ name: String) -> String {
        var out = String(String.UnicodeScalarView(name.unicodeScalars.map { MatcherScanner.isNameChar($0) ? $0 : "_" }))
        if out.isEmpty || !MatcherScanner.isNameStart(out.unicodeScalars.first!) { out = "_" + out }
        return out
    }

    func labelName(_ name: String, at node: Node, what: String) -> String? {
        guard Self.isLabelName(name) else {
            sink.error(
                "bad-label-name", at: reader.location(node),
                "'\(name)' in \(what) is not a label name (letters, digits and '_', not starting with a digit); write '\(Self.labelNameSuggestion(name))'."
            )
            return nil
        }
        return name
    }

    // MARK: inhibit

    func correlation(_ node: Node) -> Correlation? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["name", "rules", "on", "within"], what: "a correlation group")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let location = reader.location(node)
        guard let nameNode = values["name"], let name = reader.string(nameNode, what: "name"), !name.isEmpty else {
            sink.error("missing-key", at: location, "this correlation group has no 'name'.")
            return nil
        }
        let rules = values["rules"].flatMap { reader.strings($0, what: "rules") }?.map(\.0) ?? []
        guard rules.count >= 2 else {
            sink.error(
                "missing-key", at: values["rules"].map(reader.location) ?? location,
                "correlation group '\(name)' needs rules: [at least two rule names] whose alerts it joins.")
            return nil
        }
        let on =
            values["on"].flatMap { reader.strings($0, what: "on") }?.compactMap {
                labelName($0.0, at: $0.1, what: "on")
            } ?? []
        guard !on.isEmpty else {
            sink.error(
                "missing-key", at: values["on"].map(reader.location) ?? location,
                "correlation group '\(name)' needs on: [labels] whose equal values make alerts one problem, e.g. [host, unit]."
            )
            return nil
        }
        var within = Correlation.defaultWithin
        if let node = values["within"], let value = reader.duration(node, what: "within") {
            guard value > .zero else {
                sink.error("bad-value", at: reader.location(node), "within must be longer than 0s.")
                return nil
            }
            within = value
        }
        return Correlation(name: name, location: location, rules: rules, on: on, within: within)
    }

    func inhibit(_ node: Node) -> InhibitRule? {
        guard let pairs = reader.mapping(node, allowed: ["name", "source", "target", "equal"], what: "an inhibit rule")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let location = reader.location(node)
        let name = values["name"].flatMap { reader.string($0, what: "name") } ?? "inhibit@\(location.line)"
        guard let sourceNode = values["source"], let targetNode = values["target"] else {
            sink.error(
                "missing-key", at: location,
                "inhibit rule '\(name)' needs both 'source' and 'target' matchers.")
            return nil
        }
        let source = matchers(sourceNode, what: "inhibit source") ?? []
        let target = matchers(targetNode, what: "inhibit target") ?? []
        if source.isEmpty {
            sink.error(
                "empty-matchers", at: reader.location(sourceNode),
                "inhibit rule '\(name)' has no source matchers; it would let any incident swallow new alerts. Name what the inhibiting alert must match, e.g. source: ['alertname=\"HostDown\"']."
            )
            return nil
        }
        let equal =
            values["equal"].flatMap { reader.strings($0, what: "equal") }?.compactMap {
                labelName($0.0, at: $0.1, what: "equal")
            } ?? []
        return InhibitRule(name: name, location: location, source: source, target: target, equal: equal)
    }

    // MARK: escalation

    func policy(_ node: Node) -> EscalationPolicy? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["name", "steps", "repeat", "ack_timeout"], what: "an escalation policy")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let location = reader.location(node)
        guard let nameNode = values["name"], let name = reader.string(nameNode, what: "name"), !name.isEmpty else {
            sink.error("missing-key", at: location, "this escalation policy has no 'name'.")
            return nil
        }
        var steps: [EscalationPolicy.Step] = []
        if let stepsNode = values["steps"], let items = reader.list(stepsNode, what: "steps") {
            var previous: Duration = .zero
            for item in items {
                guard
                    let step = reader.mapping(item, allowed: ["after", "notify", "while"], what: "an escalation step")
                else { continue }
                let sv = Dictionary(step.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                let after = sv["after"].flatMap { reader.duration($0, what: "after") } ?? .zero
                if after < previous {
                    sink.error(
                        "step-order", at: reader.location(item),
                        "step after \(DurationText.format(after)) comes before the previous step's \(DurationText.format(previous)); list steps in time order."
                    )
                }
                previous = max(previous, after)
                guard let notifyNode = sv["notify"], let notify = reader.strings(notifyNode, what: "notify"),
                    !notify.isEmpty
                else {
                    sink.error(
                        "missing-key", at: reader.location(item), "an escalation step needs 'notify: [NAME, ...]'.")
                    continue
                }
                let condition =
                    sv["while"].flatMap {
                        reader.enumeration(
                            $0, EscalationPolicy.Condition.self, what: "while", code: "unknown-condition")
                    } ?? .unacknowledged
                steps.append(
                    .init(
                        after: after, notify: notify.map(\.0), condition: condition,
                        location: reader.location(notifyNode)))
            }
        } else {
            sink.error("missing-key", at: location, "escalation policy '\(name)' has no 'steps'.")
        }
        var repeatSpec: EscalationPolicy.Repeat?
        if let repeatNode = values["repeat"],
            let rp = reader.mapping(repeatNode, allowed: ["times", "every"], what: "repeat")
        {
            let rv = Dictionary(rp.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            if let times = rv["times"].flatMap({ reader.int($0, what: "repeat.times", minimum: 0) }),
                let every = rv["every"].flatMap({ reader.duration($0, what: "repeat.every") })
            {
                repeatSpec = .init(times: times, every: every)
            } else if rv["times"] == nil || rv["every"] == nil {
                sink.error("missing-key", at: reader.location(repeatNode), "repeat needs both 'times' and 'every'.")
            }
        }
        let ackTimeout = values["ack_timeout"].flatMap { positiveDuration($0, what: "ack_timeout") }
        return EscalationPolicy(
            name: name, location: reader.location(nameNode), steps: steps, repeat: repeatSpec, ackTimeout: ackTimeout)
    }

    func escalationByPriority(_ node: Node, into file: inout RuleFile) {
        let keys = Priority.allCases.map(\.rawValue)
        guard let pairs = reader.mapping(node, allowed: keys, what: "escalation_by_priority") else { return }
        for (key, _, value) in pairs {
            guard let priority = Priority(rawValue: key), let name = reader.string(value, what: "\(key)'s policy")
            else { continue }
            file.escalationByPriority.append((priority, name, reader.location(value)))
        }
    }

    func priorityMatrix(_ node: Node) -> [Impact: [Urgency: Priority]]? {
        let impacts = Impact.allCases.map(\.rawValue)
        guard let rows = reader.mapping(node, allowed: impacts, what: "priority_matrix") else { return nil }
        var table: [Impact: [Urgency: Priority]] = [:]
        for (key, _, value) in rows {
            guard let impact = Impact(rawValue: key),
                let cells = reader.mapping(
                    value, allowed: Urgency.allCases.map(\.rawValue), what: "priority_matrix.\(key)")
            else { continue }
            var row: [Urgency: Priority] = [:]
            for (ukey, _, cell) in cells {
                guard let urgency = Urgency(rawValue: ukey),
                    let priority = reader.enumeration(cell, Priority.self, what: "priority", code: "unknown-priority")
                else { continue }
                row[urgency] = priority
            }
            let missing = Urgency.allCases.filter { row[$0] == nil }
            if !missing.isEmpty, cells.count == row.count {
                sink.error(
                    "incomplete-matrix", at: reader.location(value),
                    "priority_matrix.\(key) lacks \(missing.map(\.rawValue).joined(separator: ", ")); give all three urgencies."
                )
            }
            table[impact] = row
        }
        let missingRows = Impact.allCases.filter { table[$0] == nil }
        if !missingRows.isEmpty, rows.count == table.count {
            sink.error(
                "incomplete-matrix", at: reader.location(node),
                "priority_matrix lacks the row(s) \(missingRows.map(\.rawValue).joined(separator: ", ")); give high, medium and low."
            )
        }
        return table
    }
}
