import ArgumentParser
import Foundation
import IncidentConfig
import IncidentCore
import IncidentPayload
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
        let explanations = events.map {
            RuleExplanation(event: $0, ruleSet: ruleSet, sourceOverride: sourceOverride, trace: trace)
        }
        if json {
            print(try Self.jsonText(explanations.map(\.explanation)))
        } else {
            for (i, explanation) in explanations.enumerated() {
                if events.count > 1 { print("event \(i + 1) of \(events.count):") }
                print(explanation.text)
                if i < explanations.count - 1 { print("") }
            }
        }
    }

    /// The JSON array `--json` prints: sorted keys, indented as JSONSerialization does it (the form scripts have
    /// been reading since the command came), hence the round trip through it.
    static func jsonText(_ explanations: [EventExplanation]) throws -> String {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(explanations))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
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
