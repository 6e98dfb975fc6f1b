import ArgumentParser
import Foundation
import IncidentCore
import IncidentIngest
import IncidentRules

struct RulesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show which rule an event matches and what it makes of it.",
        discussion: """
            The event is any payload incidentd accepts: an alert object or array (socket line / generic JSON), \
            an Alertmanager or Grafana webhook, a PagerDuty Events v2 event, or a journal entry as \
            `journalctl -o json` prints it. Pass it inline, as @FILE, or - for standard input.
            Example: incidentctl rules explain --rules rules/ --event '{"labels":{"alertname":"HostDown","host":"db1"}}'
            """
    )

    @Option(
        name: .customLong("rules"), parsing: .upToNextOption, help: "Rule files or directories (default: the config's)."
    )
    var rulePaths: [String] = []

    @Option(help: "The daemon config, when --rules is not given.")
    var config: String?

    @Option(help: "The event JSON, @FILE, or - for standard input.")
    var event: String

    @Option(help: "Force the payload format: \(PayloadFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String?

    @Option(
        help:
            "The source the event is taken to come from: socket, spool, http, journal (default: journal for journal entries, else socket)."
    )
    var source: String?

    @Flag(help: "Print a JSON array, one object per event.")
    var json = false

    @Flag(help: "Also show every rule tried before the deciding one, and why each did not match.")
    var trace = false

    func run() throws {
        let ruleSet = try loadRuleSet(paths: rulePaths, config: config)
        let data = try readArgument(event)
        let forced = try format.map { name -> PayloadFormat in
            guard let f = PayloadFormat(rawValue: name) else {
                throw ValidationError("unknown --format '\(name)'")
            }
            return f
        }
        let sourceOverride = try source.map { name -> EventSource in
            guard let s = EventSource(rawValue: name) else { throw ValidationError("unknown --source '\(name)'") }
            return s
        }
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        let events: [Event]
        do {
            events = try PayloadDecoder().decode(
                data, format: forced, source: sourceOverride ?? .socket, receivedAt: now)
        } catch {
            throw CommandFailure(message: "error: the event cannot be read: \(error)")
        }
        let explanations = events.map { explain($0, in: ruleSet, sourceOverride: sourceOverride) }
        if json {
            let data = try JSONSerialization.data(
                withJSONObject: explanations.map(\.json), options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (i, explanation) in explanations.enumerated() {
                if events.count > 1 { print("event \(i + 1) of \(events.count):") }
                print(explanation.text)
                if i < explanations.count - 1 { print("") }
            }
        }
    }

    struct Explanation {
        var text: String
        var json: [String: Any]
    }

    func explain(_ original: Event, in ruleSet: RuleSet, sourceOverride: EventSource?) -> Explanation {
        var event = original
        if let sourceOverride { event.source = sourceOverride }
        var json: [String: Any] = [
            "input_labels": event.labels.dictionary, "source": event.source.rawValue, "status": event.status.rawValue,
        ]
        var lines = [
            "  labels:       \(event.labels)", "  source:       \(event.source.rawValue), \(event.status.rawValue)",
        ]
        if trace {
            let steps = ruleSet.trace(event)
            json["trace"] = steps.map {
                ["rule": ruleSet.rules[$0.ruleIndex].name, "matched": $0.failure == nil, "why_not": $0.failure ?? ""]
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
            json["rule"] = NSNull()
            return Explanation(text: lines.joined(separator: "\n"), json: json)
        }
        let c = ruleSet.classify(event, match: match, ruleIndex: index)
        let rule = c.rule
        lines[0] = "  labels:       \(c.labels)"
        lines.insert("  rule:         \(rule.name)  (\(rule.location))", at: 0)
        if !c.enrichedBy.isEmpty { lines.append("  enriched by:  \(c.enrichedBy.joined(separator: ", "))") }
        if !c.extracted.isEmpty { lines.append("  extracted:    \(c.extracted)") }
        json["rule"] = rule.name
        json["rule_location"] = rule.location.description
        json["labels"] = c.labels.dictionary
        json["extracted"] = c.extracted.dictionary
        json["enriched_by"] = c.enrichedBy
        json["fingerprint"] = c.fingerprint.description
        if rule.drop {
            lines.append("  action:       drop: the event is counted and discarded (noise)")
            json["drop"] = true
            return Explanation(text: lines.joined(separator: "\n"), json: json)
        }
        json["drop"] = false
        let policy = ruleSet.policy(for: rule, priority: c.priority)
        lines += [
            "  fingerprint:  \(c.fingerprint)",
            "  kind:         \(c.kind.rawValue)",
            "  impact:       \(c.impact.rawValue)\(impactNote(rule))",
            "  urgency:      \(c.urgency.rawValue)\(rule.urgency == nil ? " (from severity=\(c.labels["severity"] ?? "none"))" : " (set by the rule)")",
            "  priority:     \(c.priority.rawValue)",
            "  group key:    \(c.groupKey)",
            "  title:        \(c.title)",
            "  escalation:   \(policy.map(\.name) ?? "none (no policy for \(c.priority.rawValue))")",
        ]
        if let t = rule.threshold {
            let what = t.distinctLabel.map { "distinct values of \($0)" } ?? "events"
            lines.append("  threshold:    opens after \(t.count) \(what) within \(DurationText.format(t.within))")
            json["threshold"] = [
                "count": t.count, "within": DurationText.format(t.within), "distinct": t.distinctLabel as Any,
            ]
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
        var correlations: [[String: Any]] = []
        for g in ruleSet.correlationOfRule[rule.name] ?? [] {
            let group = ruleSet.correlations[g]
            let others = group.rules.filter { $0 != rule.name }.joined(separator: ", ")
            if group.key(c.labels) != nil {
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
            correlations.append([
                "group": group.name, "on": group.on, "within": DurationText.format(group.within),
                "joins": group.key(c.labels) != nil,
            ])
        }
        json["correlations"] = correlations
        json["kind"] = c.kind.rawValue
        json["impact"] = c.impact.rawValue
        json["urgency"] = c.urgency.rawValue
        json["priority"] = c.priority.rawValue
        json["group_key"] = c.groupKey
        json["title"] = c.title
        json["escalation"] = policy?.name ?? NSNull()
        json["inhibited_by"] = inhibitors.map(\.name)
        return Explanation(text: lines.joined(separator: "\n"), json: json)
    }

    func impactNote(_ rule: Rule) -> String {
        guard case .countDistinct(let label, let medium, let high) = rule.impact else { return "" }
        return " (grows with distinct \(label): medium at \(medium), high at \(high))"
    }
}

/// Reads `--event`-style arguments: inline text, `@FILE`, or `-` for standard input.
func readArgument(_ value: String) throws -> Data {
    if value == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    if value.hasPrefix("@") {
        let path = String(value.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "error: cannot read \(path)")
        }
        return data
    }
    return Data(value.utf8)
}

/// Loads rules from explicit paths or the config's, printing diagnostics; throws when they do not compile.
func loadRuleSet(paths: [String], config: String?) throws -> RuleSet {
    var targets = paths
    if targets.isEmpty {
        let configPath = Configuration.locate(explicit: config, environment: ProcessInfo.processInfo.environment)
        let loaded = Configuration.load(path: configPath)
        guard let configuration = loaded.configuration else {
            for d in loaded.diagnostics { printError(d.description) }
            throw CommandFailure(message: "error: no --rules given and the config \(configPath) cannot be loaded")
        }
        targets = configuration.rules
    }
    let result = RuleSetLoader().load(paths: targets)
    for d in result.diagnostics where d.severity == .error { printError(d.description) }
    guard let ruleSet = result.ruleSet else {
        throw CommandFailure(message: "error: the rules have errors; run incidentctl rules check")
    }
    return ruleSet
}
