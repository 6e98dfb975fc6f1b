import Foundation
import IncidentCore

/// Loads rule files and directories into one `RuleSet`, checking what only the whole set can tell:
/// duplicate names, undefined policies and notifiers, unreachable rules.
public struct RuleSetLoader: Sendable {
    /// Notifier names from the config; nil when no config is at hand (notifier names are then not checked).
    public var knownNotifiers: Set<String>?
    /// Files larger than this are refused (a rule file is text an operator edits, not data).
    public var maxFileBytes = 8 << 20

    public init(knownNotifiers: Set<String>? = nil) { self.knownNotifiers = knownNotifiers }

    public struct Result: Sendable {
        /// Nil when any error was found.
        public var ruleSet: RuleSet?
        public var diagnostics: [Diagnostic]
        public var files: [String]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    }

    /// Expands directories to their `*.yaml`/`*.yml` files (not recursive, lexical order); files are kept as given.
    public static func expand(_ paths: [String]) -> [String] { expand(paths, sink: nil) }

    static func expand(_ paths: [String], sink: DiagnosticSink?) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                sink?.error(
                    "no-such-path", at: SourceLocation(file: path, line: 1, column: 1),
                    "no such file or directory; check the path (relative paths are from the config file).")
                continue
            }
            if isDirectory.boolValue {
                let names = ((try? manager.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
                    .sorted()
                if names.isEmpty {
                    sink?.warning(
                        "empty-directory", at: SourceLocation(file: path, line: 1, column: 1),
                        "no *.yaml or *.yml files in this directory (it is not read recursively); rule files must end in .yaml or .yml."
                    )
                }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    public func load(paths: [String]) -> Result {
        let sink = DiagnosticSink()
        let files = Self.expand(paths, sink: sink)
        var parsed: [(String, RuleFile)] = []
        for file in files {
            guard let text = readText(file, sink: sink) else { continue }
            parsed.append((file, RuleFileParser(file: file, sink: sink).parse(text)))
        }
        let ruleSet = combine(parsed, sink: sink)
        return Result(ruleSet: sink.hasErrors ? nil : ruleSet, diagnostics: sink.diagnostics, files: files)
    }

    /// Compiles rule text held in memory (tests, `explain --rules -`).
    public func load(text: String, file: String) -> Result {
        let sink = DiagnosticSink()
        let parsed = RuleFileParser(file: file, sink: sink).parse(text)
        let ruleSet = combine([(file, parsed)], sink: sink)
        return Result(ruleSet: sink.hasErrors ? nil : ruleSet, diagnostics: sink.diagnostics, files: [file])
    }

    package func readText(_ file: String, sink: DiagnosticSink) -> String? {
        let at = SourceLocation(file: file, line: 1, column: 1)
        guard FileManager.default.fileExists(atPath: file) else {
            sink.error("no-such-path", at: at, "no such file; check the path (or pass --config PATH).")
            return nil
        }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            sink.error("unreadable", at: at, "cannot read this file; check its permissions.")
            return nil
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxFileBytes + 1)) ?? Data()
        guard data.count <= maxFileBytes else {
            sink.error(
                "too-large", at: at, "the file is larger than \(maxFileBytes >> 20) MiB; is it really a rule file?")
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            sink.error("not-utf8", at: at, "the file is not valid UTF-8; save it as UTF-8.")
            return nil
        }
        return text
    }

    func combine(_ parsed: [(String, RuleFile)], sink: DiagnosticSink) -> RuleSet {
        var rules: [Rule] = []
        var inhibits: [InhibitRule] = []
        var policies: [String: EscalationPolicy] = [:]
        var byPriority: [Priority: (String, SourceLocation)] = [:]
        var matrix: (table: [Impact: [Urgency: Priority]], at: SourceLocation)?
        var ruleNames: [String: SourceLocation] = [:]
        var titleLocations: [String: SourceLocation] = [:]
        var brokenConditions: Set<String> = []
        var escalationLocations: [String: SourceLocation] = [:]
        var users: [String: Person] = [:]
        var schedules: [String: OnCallSchedule] = [:]
        var maintenance: [MaintenanceWindow] = []
        var maintenanceNames: [String: SourceLocation] = [:]
        var userNames: [String: SourceLocation] = [:]
        var scheduleNames: [String: SourceLocation] = [:]
        var correlations: [Correlation] = []
        var userReferences: [(user: String, at: SourceLocation, what: String)] = []
        var userNotifyNodes: [String: SourceLocation] = [:]

        for (_, file) in parsed {
            for rule in file.rules {
                if let first = ruleNames[rule.name] {
                    sink.error(
                        "duplicate-rule", at: rule.location,
                        "rule name '\(rule.name)' is already used at \(first); rule names must be unique across all files."
                    )
                    continue
                }
                ruleNames[rule.name] = rule.location
                rules.append(rule)
            }
            titleLocations.merge(file.titleNodes) { a, _ in a }
            brokenConditions.formUnion(file.brokenConditions)
            escalationLocations.merge(file.escalationNodes) { a, _ in a }
            inhibits += file.inhibits
            for policy in file.policies {
                if let first = policies[policy.name] {
                    sink.error(
                        "duplicate-policy", at: policy.location,
                        "escalation policy '\(policy.name)' is already defined at \(first.location); rename one.")
                    continue
                }
                policies[policy.name] = policy
            }
            for person in file.users
            where claim(
                person.name, at: person.location, in: &userNames, code: "duplicate-user", what: "user", sink: sink)
            {
                users[person.name] = person
                if let at = file.userNotifyNodes[person.name] { userNotifyNodes[person.name] = at }
            }
            for schedule in file.schedules
            where claim(
                schedule.name, at: schedule.location, in: &scheduleNames, code: "duplicate-schedule", what: "schedule",
                sink: sink)
            {
                schedules[schedule.name] = schedule
            }
            for window in file.maintenance
            where claim(
                window.name, at: window.location, in: &maintenanceNames, code: "duplicate-maintenance",
                what: "maintenance window", sink: sink)
            {
                maintenance.append(window)
            }
            userReferences += file.userReferences
            correlations += file.correlations
            for (priority, name, at) in file.escalationByPriority {
                if let (other, first) = byPriority[priority], other != name || first.file != at.file {
                    sink.error(
                        "conflicting-definition", at: at,
                        "escalation_by_priority.\(priority.rawValue) is already set to '\(other)' at \(first).")
                    continue
                }
                byPriority[priority] = (name, at)
            }
            if let table = file.priorityMatrix, let at = file.priorityMatrixLocation {
                if let previous = matrix {
                    sink.error(
                        "conflicting-definition", at: at,
                        "priority_matrix is already defined at \(previous.at); define it in one file only.")
                } else {
                    matrix = (table, at)
                }
            }
        }

        // Cross-references.
        for rule in rules {
            if let policy = rule.escalation, policies[policy] == nil {
                sink.error(
                    "undefined-policy", at: escalationLocations[rule.name] ?? rule.location,
                    "rule '\(rule.name)' escalates with policy '\(policy)', which no rule file defines.\(hint(policy, policies.keys))"
                )
            }
        }
        for (priority, (name, at)) in byPriority.sorted(by: { $0.key.number < $1.key.number })
        where policies[name] == nil {
            sink.error(
                "undefined-policy", at: at,
                "escalation_by_priority.\(priority.rawValue) names policy '\(name)', which no rule file defines.\(hint(name, policies.keys))"
            )
        }
        for reference in userReferences where users[reference.user] == nil {
            sink.error(
                "undefined-user", at: reference.at,
                "\(reference.what) names user '\(reference.user)', which no rule file's users: defines.\(hint(reference.user, users.keys))"
            )
        }
        for policy in policies.values.sorted(by: { $0.name < $1.name }) {
            for step in policy.steps {
                for target in step.notify {
                    switch StepTarget(target) {
                    case .notifier(let name):
                        if let knownNotifiers, !knownNotifiers.contains(name) {
                            sink.error(
                                "undefined-notifier", at: step.location,
                                "policy '\(policy.name)' notifies '\(name)', which the config's notifiers do not define.\(hint(name, knownNotifiers))"
                            )
                        }
                    case .user(let name) where users[name] == nil:
                        sink.error(
                            "undefined-user", at: step.location,
                            "policy '\(policy.name)' notifies '\(target)', but no rule file's users: defines '\(name)'.\(hint(name, users.keys))"
                        )
                    case .schedule(let name) where schedules[name] == nil:
                        sink.error(
                            "undefined-schedule", at: step.location,
                            "policy '\(policy.name)' notifies '\(target)', but no rule file's schedules: defines '\(name)'.\(hint(name, schedules.keys))"
                        )
                    default:
                        break
                    }
                }
            }
        }
        if let knownNotifiers {
            for person in users.values.sorted(by: { $0.name < $1.name }) {
                for name in person.notify where !knownNotifiers.contains(name) {
                    sink.error(
                        "undefined-notifier", at: userNotifyNodes[person.name] ?? person.location,
                        "user '\(person.name)' is notified by '\(name)', which the config's notifiers do not define.\(hint(name, knownNotifiers))"
                    )
                }
            }
        }
        // Titles that name labels the rule cannot guarantee.
        for rule in rules {
            guard let title = rule.title else { continue }
            let provided = rule.providedLabels.union(rule.groupBy ?? [])
            for name in title.names where !provided.contains(name) {
                sink.warning(
                    "template-label", at: titleLocations[rule.name] ?? rule.location,
                    "title of rule '\(rule.name)' uses {{\(name)}}, but no matcher or extract of this rule provides '\(name)'; it may render as <\(name)?>."
                )
            }
        }
        // Rules after an unconditional catch-all can never decide. A rule whose match or extract did not compile
        // is no catch-all, whatever is left of its condition: its error is already reported.
        if let catchAll = rules.firstIndex(where: {
            $0.matchers.isEmpty && $0.extract.isEmpty && !$0.continue && !brokenConditions.contains($0.name)
        }) {
            for rule in rules[(catchAll + 1)...] where !rule.continue {
                sink.warning(
                    "unreachable-rule", at: rule.location,
                    "rule '\(rule.name)' can never match: the catch-all rule '\(rules[catchAll].name)' at \(rules[catchAll].location) takes every event first."
                )
            }
        }
        // Correlation groups: unique names, known rules. A rule may be in several groups (the kernel's OOM line
        // pairs with the unit's by host and time; the unit's line is also in the unit's group).
        var groupNames: [String: SourceLocation] = [:]
        var validCorrelations: [Correlation] = []
        for group in correlations {
            guard
                claim(
                    group.name, at: group.location, in: &groupNames, code: "duplicate-correlation",
                    what: "correlation group", sink: sink)
            else { continue }
            var ok = true
            for name in group.rules {
                if ruleNames[name] == nil {
                    sink.error(
                        "undefined-rule", at: group.location,
                        "correlation group '\(group.name)' names rule '\(name)', which no rule file defines.\(hint(name, ruleNames.keys))"
                    )
                    ok = false
                }
            }
            guard ok else { continue }
            validCorrelations.append(group)
        }
        let priorityMap = byPriority.mapValues(\.0)
        return RuleSet(
            rules: rules, inhibits: inhibits, policies: policies, escalationByPriority: priorityMap,
            priorityMatrix: matrix.map { PriorityMatrix($0.table) } ?? .itil, files: parsed.map(\.0), users: users,
            schedules: schedules, maintenance: maintenance, correlations: validCorrelations)
    }

    /// Records that `name` is defined at `location`; false (with a `code` error naming the first definition) when
    /// another file or entry already defined it. Names of users, schedules, windows and groups are global.
    func claim(
        _ name: String, at location: SourceLocation, in seen: inout [String: SourceLocation], code: String,
        what: String, sink: DiagnosticSink
    ) -> Bool {
        if let first = seen[name] {
            sink.error(
                code, at: location,
                "\(what) '\(name)' is already defined at \(first); \(what) names must be unique across all files.")
            return false
        }
        seen[name] = location
        return true
    }

    func hint(_ name: String, _ candidates: some Collection<String>) -> String {
        if let near = nearest(name, in: Array(candidates)) { return " Did you mean '\(near)'?" }
        if candidates.isEmpty { return "" }
        return " Defined: \(candidates.sorted().joined(separator: ", "))."
    }
}
