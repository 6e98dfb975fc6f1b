import IncidentCore
import IncidentRules

/// Runs rule test files (SPEC §6) through the real engine on a virtual clock.
public struct RuleTestRunner: Sendable {
    /// The virtual clock's zero: tests speak in offsets from it.
    public static let epoch = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!

    public struct Failure: Sendable {
        public var test: String
        public var location: SourceLocation
        public var message: String
    }

    public struct Report: Sendable {
        public var passed: [String] = []
        public var failures: [Failure] = []
    }

    public init() {}

    /// Runs every test in the file against the rule set.
    public func run(_ file: RuleTestFile, ruleSet: RuleSet) -> Report {
        var report = Report()
        for test in file.tests {
            let failures = run(test, ruleSet: ruleSet)
            if failures.isEmpty { report.passed.append(test.name) } else { report.failures += failures }
        }
        return report
    }

    enum Step {
        case event(Event)
        case action(RuleTestFile.TestAction)
        case silence(RuleTestFile.TestSilence, index: Int)
    }

    func run(_ test: RuleTestFile.Test, ruleSet: RuleSet) -> [Failure] {
        var engine = CorrelationEngine(ruleSet: ruleSet)
        let epoch = test.start ?? Self.epoch
        // Expand repeats, then order everything by time (events before actions at the same instant).
        var steps: [(Timestamp, Int, Step)] = []
        var order = 0
        for e in test.events {
            for i in 0..<e.repeatCount {
                let at = epoch + e.at + e.every * i
                let event = Event(
                    labels: e.labels, annotations: e.annotations, status: e.status, startsAt: at,
                    endsAt: e.status == .resolved ? at : nil, source: e.source, receivedAt: at)
                steps.append((at, order, .event(event)))
                order += 1
            }
        }
        for a in test.actions {
            steps.append((epoch + a.at, order + 1_000_000, .action(a)))
            order += 1
        }
        // Silences before events at the same instant: a silence at 0s mutes the first event.
        for (i, s) in test.silences.enumerated() {
            steps.append((epoch + s.at, order - 1_000_000, .silence(s, index: i)))
            order += 1
        }
        steps.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }

        var snapshots: [Int: Incident] = [:]
        var notifications: [Notification] = []
        var failures: [Failure] = []
        func collect(_ effects: [Effect]) {
            for effect in effects {
                switch effect {
                case .incident(let incident), .incidentActivity(let incident): snapshots[incident.number] = incident
                case .notify(let notification): notifications.append(notification)
                default: break
                }
            }
        }
        var next = 0
        for expectation in test.expectations.sorted(by: { $0.at < $1.at }) {
            let checkpoint = epoch + expectation.at
            while next < steps.count, steps[next].0 <= checkpoint {
                let (at, _, step) = steps[next]
                collect(engine.advance(to: at))
                switch step {
                case .event(let event):
                    collect(engine.ingest(event))
                case .silence(let s, let index):
                    let silence = Silence(
                        id: "test-silence-\(index + 1)", matchers: s.matchers, startsAt: at, endsAt: at + s.duration,
                        createdBy: s.by, comment: s.comment, updatedAt: at)
                    do {
                        collect(try engine.upsertSilence(silence, at: at))
                    } catch {
                        failures.append(
                            Failure(
                                test: test.name, location: s.location, message: "silence refused: \(error.message)"))
                    }
                case .action(let action):
                    let ordered = snapshots.keys.sorted()
                    guard action.incident <= ordered.count else {
                        failures.append(
                            Failure(
                                test: test.name, location: action.location,
                                message:
                                    "action \(action.action.rawValue) names incident \(action.incident), but only \(ordered.count) opened by \(DurationText.format(action.at))"
                            ))
                        next += 1
                        continue
                    }
                    do {
                        collect(
                            try engine.perform(
                                action.action, incident: ordered[action.incident - 1], by: action.by, at: at))
                    } catch {
                        failures.append(
                            Failure(
                                test: test.name, location: action.location, message: "action failed: \(error.message)"))
                    }
                }
                next += 1
            }
            collect(engine.advance(to: checkpoint))
            let incidents = snapshots.keys.sorted().map { snapshots[$0]! }
            if let expected = expectation.incidents, let problem = compare(expected, incidents) {
                failures.append(
                    Failure(
                        test: test.name, location: expectation.location,
                        message: "at \(DurationText.format(expectation.at)): incidents differ: \(problem)\n"
                            + sideBySide(expected.map(describe), incidents.map(describe))))
            }
            if let expected = expectation.notifications {
                let indexOf = Dictionary(uniqueKeysWithValues: incidents.enumerated().map { ($1.number, $0 + 1) })
                if let problem = compare(expected, notifications, indexOf: indexOf) {
                    failures.append(
                        Failure(
                            test: test.name, location: expectation.location,
                            message: "at \(DurationText.format(expectation.at)): notifications differ: \(problem)\n"
                                + sideBySide(
                                    expected.map(describe),
                                    notifications.map { describe($0, index: indexOf[$0.incident] ?? 0) })))
                }
            }
        }
        return failures
    }

    // MARK: - Comparison

    func matches(_ e: RuleTestFile.ExpectedIncident, _ a: Incident) -> Bool {
        if let v = e.kind, v != a.kind { return false }
        if let v = e.priority, v != a.priority { return false }
        if let v = e.state, v != a.state { return false }
        if let v = e.impact, v != a.impact { return false }
        if let v = e.urgency, v != a.urgency { return false }
        if let v = e.rule, v != a.rule { return false }
        if let v = e.title, v != a.title { return false }
        if let v = e.alerts, v != a.alerts { return false }
        if let v = e.events, v != a.events { return false }
        if let v = e.flapping, v != a.flapping { return false }
        if let v = e.silenced, v != a.silenced { return false }
        for label in e.labels where a.labels[label.name] != label.value { return false }
        return true
    }

    func compare(_ expected: [RuleTestFile.ExpectedIncident], _ actual: [Incident]) -> String? {
        if expected.count != actual.count { return "expected \(expected.count), got \(actual.count)" }
        return assign(expected.count, actual.count) { matches(expected[$0], actual[$1]) }
            ? nil : "no one-to-one match between expected and actual"
    }

    func compare(
        _ expected: [RuleTestFile.ExpectedNotification], _ actual: [Notification], indexOf: [Int: Int]
    ) -> String? {
        if expected.count != actual.count { return "expected \(expected.count), got \(actual.count)" }
        let ok = assign(expected.count, actual.count) { i, j in
            let e = expected[i]
            let a = actual[j]
            return (e.notifier.map { $0 == a.notifier } ?? true) && (e.user.map { $0 == a.user } ?? true)
                && e.step == a.step && (e.round.map { $0 == a.round } ?? true)
                && (e.incident.map { $0 == indexOf[a.incident] } ?? true)
        }
        return ok ? nil : "no one-to-one match between expected and actual"
    }

    /// Whether every expected item can be paired with a distinct actual one (bipartite matching, so the
    /// order of a file's expectations never matters).
    func assign(_ n: Int, _ m: Int, _ fits: (Int, Int) -> Bool) -> Bool {
        var owner = [Int?](repeating: nil, count: m)
        func augment(_ i: Int, _ seen: inout [Bool]) -> Bool {
            for j in 0..<m where !seen[j] && fits(i, j) {
                seen[j] = true
                if owner[j] == nil || augment(owner[j]!, &seen) {
                    owner[j] = i
                    return true
                }
            }
            return false
        }
        for i in 0..<n {
            var seen = [Bool](repeating: false, count: m)
            if !augment(i, &seen) { return false }
        }
        return true
    }

    func describe(_ e: RuleTestFile.ExpectedIncident) -> String {
        var parts: [String] = []
        if let v = e.rule { parts.append("rule=\(v)") }
        if let v = e.kind { parts.append("kind=\(v.rawValue)") }
        if let v = e.priority { parts.append("priority=\(v.rawValue)") }
        if let v = e.state { parts.append("state=\(v.rawValue)") }
        if let v = e.impact { parts.append("impact=\(v.rawValue)") }
        if let v = e.urgency { parts.append("urgency=\(v.rawValue)") }
        if let v = e.alerts { parts.append("alerts=\(v)") }
        if let v = e.events { parts.append("events=\(v)") }
        if let v = e.flapping { parts.append("flapping=\(v)") }
        if let v = e.silenced { parts.append("silenced=\(v)") }
        if let v = e.title { parts.append("title=\(quoted(v))") }
        if !e.labels.isEmpty { parts.append("labels⊇\(e.labels)") }
        return parts.joined(separator: " ")
    }

    func describe(_ a: Incident) -> String {
        "rule=\(a.rule) kind=\(a.kind.rawValue) priority=\(a.priority.rawValue) state=\(a.state.rawValue) impact=\(a.impact.rawValue) urgency=\(a.urgency.rawValue) alerts=\(a.alerts) events=\(a.events) flapping=\(a.flapping) silenced=\(a.silenced) title=\(quoted(a.title)) labels=\(a.labels)"
    }

    func describe(_ e: RuleTestFile.ExpectedNotification) -> String {
        (e.notifier.map { "notifier=\($0) " } ?? "") + (e.user.map { "user=\($0) " } ?? "") + "step=\(e.step)"
            + (e.round.map { " round=\($0)" } ?? "")
            + (e.incident.map { " incident=\($0)" } ?? "")
    }

    func describe(_ n: Notification, index: Int) -> String {
        "notifier=\(n.notifier)\(n.user.map { " user=\($0)" } ?? "") step=\(n.step) round=\(n.round) incident=\(index) (\(n.idempotencyKey))"
    }

    func sideBySide(_ expected: [String], _ actual: [String]) -> String {
        var lines = ["    expected:"]
        lines += expected.isEmpty ? ["      (none)"] : expected.map { "      - \($0)" }
        lines.append("    actual:")
        lines += actual.isEmpty ? ["      (none)"] : actual.map { "      - \($0)" }
        return lines.joined(separator: "\n")
    }
}
