import Foundation
import IncidentCore
import Yams

/// A rule test file (SPEC §6): rule files to load, and tests of events and expectations on a virtual clock.
public struct RuleTestFile: Sendable {
    public struct TestEvent: Sendable {
        public var at: Duration
        public var labels: Labels
        public var annotations: Labels
        public var status: EventStatus
        public var source: EventSource
        public var repeatCount: Int
        public var every: Duration
    }

    /// Something a person does during a test (an extension of SPEC §6): acknowledge, resolve, reopen, close.
    public struct TestAction: Sendable {
        public var at: Duration
        public var action: IncidentState.Action
        /// The incident's index in the order of opening, from 1.
        public var incident: Int
        public var by: String
        public var location: SourceLocation
    }

    /// A silence a test adds at `at` (SPEC §11): `{ at: 0s, match: ['host="db1"'], duration: 1h }`.
    public struct TestSilence: Sendable {
        public var at: Duration
        public var matchers: [SilenceMatcher]
        public var duration: Duration
        public var by: String
        public var comment: String
        public var location: SourceLocation
    }

    public struct ExpectedIncident: Sendable {
        public var kind: IncidentKind?
        public var priority: Priority?
        public var state: IncidentState?
        public var impact: Impact?
        public var urgency: Urgency?
        public var rule: String?
        public var title: String?
        public var alerts: Int?
        public var events: Int?
        public var flapping: Bool?
        public var silenced: Bool?
        public var labels: Labels
    }

    public struct ExpectedNotification: Sendable {
        /// Nil when the expectation names only the person (`user`).
        public var notifier: String?
        /// The person paged (SPEC §12).
        public var user: String?
        public var step: Int
        public var round: Int?
        public var incident: Int?
    }

    public struct Expectation: Sendable {
        public var at: Duration
        public var incidents: [ExpectedIncident]?
        public var notifications: [ExpectedNotification]?
        public var location: SourceLocation
    }

    public struct Test: Sendable {
        public var name: String
        public var location: SourceLocation
        /// The virtual clock's zero for this test (`start:`); the runner's epoch when not given.
        public var start: Timestamp?
        public var events: [TestEvent]
        public var actions: [TestAction]
        public var silences: [TestSilence] = []
        public var expectations: [Expectation]
    }

    public var file: String
    public var ruleFiles: [String]
    public var tests: [Test]

    /// Reads a test file; rule file paths are resolved against the test file's directory.
    public static func load(path: String) -> (RuleTestFile?, [Diagnostic]) {
        let sink = DiagnosticSink()
        guard let text = RuleSetLoader().readText(path, sink: sink) else { return (nil, sink.diagnostics) }
        let reader = YAMLReader(file: path, sink: sink)
        let base = (path as NSString).deletingLastPathComponent
        var result = RuleTestFile(file: path, ruleFiles: [], tests: [])
        guard let root = reader.compose(text) else {
            // A file of nothing but blanks and comments composes to no document without a syntax error; it must
            // not be refused without a word.
            if !sink.hasErrors {
                sink.error(
                    "missing-key", at: SourceLocation(file: path, line: 1, column: 1),
                    "the rule test file is empty; it needs rule_files: [PATH, ...] and tests: [...].")
            }
            return (nil, sink.diagnostics)
        }
        guard let top = reader.mapping(root, allowed: ["rule_files", "tests"], what: "a rule test file") else {
            return (nil, sink.diagnostics)
        }
        for (key, _, value) in top {
            if key == "rule_files" {
                result.ruleFiles = (reader.strings(value, what: "rule_files") ?? []).map { path, _ in
                    path.hasPrefix("/")
                        ? path : ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
                }
            } else if let items = reader.list(value, what: "tests") {
                result.tests = items.compactMap { parseTest($0, reader: reader) }
            }
        }
        if result.ruleFiles.isEmpty {
            sink.error(
                "missing-key", at: SourceLocation(file: path, line: 1, column: 1),
                "a rule test file needs rule_files: [PATH, ...] (relative to the test file).")
        }
        return (sink.hasErrors ? nil : result, sink.diagnostics)
    }

    static func parseTest(_ node: Node, reader: YAMLReader) -> Test? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["name", "start", "events", "actions", "silences", "expect"], what: "a test")
        else {
            return nil
        }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let location = reader.location(node)
        let name = values["name"].flatMap { reader.string($0, what: "name") } ?? "test at line \(location.line)"
        var test = Test(name: name, location: location, events: [], actions: [], expectations: [])
        if let node = values["start"], let text = reader.string(node, what: "start") {
            if let time = Timestamp(rfc3339: text) {
                test.start = time
            } else {
                reader.sink.error(
                    "bad-value", at: reader.location(node),
                    "start must be an RFC 3339 time such as 2026-12-07T08:00:00Z, not '\(text.prefix(64))'.")
            }
        }
        if let items = values["silences"].flatMap({ reader.list($0, what: "silences") }) {
            test.silences = items.compactMap { parseSilence($0, reader: reader) }
        }
        if let items = values["events"].flatMap({ reader.list($0, what: "events") }) {
            test.events = items.compactMap { parseEvent($0, reader: reader) }
        }
        if let items = values["actions"].flatMap({ reader.list($0, what: "actions") }) {
            test.actions = items.compactMap { parseAction($0, reader: reader) }
        }
        if let items = values["expect"].flatMap({ reader.list($0, what: "expect") }) {
            test.expectations = items.compactMap { parseExpectation($0, reader: reader) }
        } else {
            reader.sink.error(
                "missing-key", at: location, "test '\(name)' has no 'expect': a test must check something.")
        }
        return test
    }

    static func labels(_ node: Node, reader: YAMLReader, what: String) -> Labels {
        guard case .mapping(let mapping) = node else {
            reader.sink.error("wrong-type", at: reader.location(node), "\(what) must be a mapping of names to values.")
            return Labels()
        }
        var labels = Labels()
        for (k, v) in mapping {
            if let key = reader.string(k, what: "a label name"), let value = reader.string(v, what: "a label value") {
                labels[key] = value
            }
        }
        return labels
    }

    static func parseEvent(_ node: Node, reader: YAMLReader) -> TestEvent? {
        let keys = ["at", "labels", "annotations", "status", "source", "repeat", "every"]
        guard let pairs = reader.mapping(node, allowed: keys, what: "a test event") else { return nil }
        var event = TestEvent(
            at: .zero, labels: [:], annotations: [:], status: .firing, source: .socket, repeatCount: 1, every: .zero)
        for (key, _, value) in pairs {
            switch key {
            case "at": event.at = reader.duration(value, what: "at") ?? .zero
            case "labels": event.labels = labels(value, reader: reader, what: "labels")
            case "annotations": event.annotations = labels(value, reader: reader, what: "annotations")
            case "status":
                event.status = reader.enumeration(value, EventStatus.self, what: "status", code: "bad-value") ?? .firing
            case "source":
                event.source = reader.enumeration(value, EventSource.self, what: "source", code: "bad-value") ?? .socket
            case "repeat": event.repeatCount = reader.int(value, what: "repeat", minimum: 1) ?? 1
            case "every": event.every = reader.duration(value, what: "every") ?? .zero
            default: break
            }
        }
        if event.labels.isEmpty {
            reader.sink.error("missing-key", at: reader.location(node), "a test event needs labels.")
            return nil
        }
        return event
    }

    static func parseSilence(_ node: Node, reader: YAMLReader) -> TestSilence? {
        let keys = ["at", "match", "duration", "by", "comment"]
        guard let pairs = reader.mapping(node, allowed: keys, what: "a test silence") else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let location = reader.location(node)
        var matchers: [SilenceMatcher] = []
        if let node = values["match"], let texts = reader.strings(node, what: "match") {
            for (text, at) in texts {
                do {
                    for m in try Matcher.parseList(text) {
                        matchers.append(
                            SilenceMatcher(
                                name: m.name, value: m.value, isRegex: m.op == .regexMatch || m.op == .regexNoMatch,
                                isEqual: m.op == .equal || m.op == .regexMatch))
                    }
                } catch {
                    reader.sink.error(
                        "bad-matcher", at: reader.location(at), "\(error.message) in matcher '\(text.prefix(200))'.")
                    return nil
                }
            }
        }
        guard !matchers.isEmpty else {
            reader.sink.error("missing-key", at: location, "a test silence needs match: ['name=\"value\"', ...].")
            return nil
        }
        guard let durationNode = values["duration"], let duration = reader.duration(durationNode, what: "duration"),
            duration > .zero
        else {
            if values["duration"] == nil {
                reader.sink.error("missing-key", at: location, "a test silence needs a duration (1h, 30m).")
            }
            return nil
        }
        return TestSilence(
            at: values["at"].flatMap { reader.duration($0, what: "at") } ?? .zero, matchers: matchers,
            duration: duration, by: values["by"].flatMap { reader.string($0, what: "by") } ?? "test",
            comment: values["comment"].flatMap { reader.string($0, what: "comment") } ?? "rule test",
            location: location)
    }

    static func parseAction(_ node: Node, reader: YAMLReader) -> TestAction? {
        guard let pairs = reader.mapping(node, allowed: ["at", "action", "incident", "by"], what: "a test action")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let actionNode = values["action"],
            let action = reader.enumeration(actionNode, IncidentState.Action.self, what: "action", code: "bad-value")
        else {
            if values["action"] == nil {
                reader.sink.error(
                    "missing-key", at: reader.location(node), "a test action needs action: ack|resolve|reopen|close.")
            }
            return nil
        }
        return TestAction(
            at: values["at"].flatMap { reader.duration($0, what: "at") } ?? .zero, action: action,
            incident: values["incident"].flatMap { reader.int($0, what: "incident", minimum: 1) } ?? 1,
            by: values["by"].flatMap { reader.string($0, what: "by") } ?? "test", location: reader.location(node))
    }

    static func parseExpectation(_ node: Node, reader: YAMLReader) -> Expectation? {
        guard let pairs = reader.mapping(node, allowed: ["at", "incidents", "notifications"], what: "an expectation")
        else { return nil }
        var expectation = Expectation(at: .zero, incidents: nil, notifications: nil, location: reader.location(node))
        for (key, _, value) in pairs {
            switch key {
            case "at": expectation.at = reader.duration(value, what: "at") ?? .zero
            case "incidents":
                expectation.incidents = (reader.list(value, what: "incidents") ?? []).compactMap {
                    parseIncident($0, reader: reader)
                }
            case "notifications":
                expectation.notifications = (reader.list(value, what: "notifications") ?? []).compactMap {
                    parseNotification($0, reader: reader)
                }
            default: break
            }
        }
        return expectation
    }

    static func parseIncident(_ node: Node, reader: YAMLReader) -> ExpectedIncident? {
        let keys = [
            "kind", "priority", "state", "impact", "urgency", "rule", "title", "alerts", "events", "flapping",
            "silenced",
            "labels",
        ]
        guard let pairs = reader.mapping(node, allowed: keys, what: "an expected incident") else { return nil }
        var e = ExpectedIncident(labels: [:])
        for (key, _, v) in pairs {
            switch key {
            case "kind": e.kind = reader.enumeration(v, IncidentKind.self, what: "kind", code: "unknown-kind")
            case "priority":
                e.priority = reader.enumeration(v, Priority.self, what: "priority", code: "unknown-priority")
            case "state": e.state = reader.enumeration(v, IncidentState.self, what: "state", code: "bad-value")
            case "impact": e.impact = reader.enumeration(v, Impact.self, what: "impact", code: "unknown-impact")
            case "urgency": e.urgency = reader.enumeration(v, Urgency.self, what: "urgency", code: "unknown-urgency")
            case "rule": e.rule = reader.string(v, what: "rule")
            case "title": e.title = reader.string(v, what: "title")
            case "alerts": e.alerts = reader.int(v, what: "alerts", minimum: 0)
            case "events": e.events = reader.int(v, what: "events", minimum: 0)
            case "flapping": e.flapping = reader.bool(v, what: "flapping")
            case "silenced": e.silenced = reader.bool(v, what: "silenced")
            case "labels": e.labels = labels(v, reader: reader, what: "labels")
            default: break
            }
        }
        return e
    }

    static func parseNotification(_ node: Node, reader: YAMLReader) -> ExpectedNotification? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["notifier", "user", "step", "round", "incident"], what: "an expected notification")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let notifier = values["notifier"].flatMap { reader.string($0, what: "notifier") }
        let user = values["user"].flatMap { reader.string($0, what: "user") }
        guard notifier != nil || user != nil else {
            reader.sink.error(
                "missing-key", at: reader.location(node), "an expected notification needs 'notifier' or 'user'.")
            return nil
        }
        return ExpectedNotification(
            notifier: notifier, user: user,
            step: values["step"].flatMap { reader.int($0, what: "step", minimum: 0) } ?? 0,
            round: values["round"].flatMap { reader.int($0, what: "round", minimum: 0) },
            incident: values["incident"].flatMap { reader.int($0, what: "incident", minimum: 1) })
    }
}
