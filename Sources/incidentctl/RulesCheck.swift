import ArgumentParser
import Foundation
import IncidentConfig
import IncidentRules

struct RulesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate rule files or directories; print FILE:LINE:COL diagnostics.",
        discussion: """
            Directories are read for *.yaml and *.yml files (not recursively), in lexical order, as the daemon \
            reads them. With no PATH, the rule paths of the config are checked. Notifier names used by \
            escalation policies are checked against the config's notifiers when a config file is found.
            Exit 0 when there are no errors (warnings allowed), 1 otherwise.
            """
    )

    @Argument(help: "Rule files or directories (default: the config's rules).")
    var paths: [String] = []

    @Option(help: "The daemon config, for its rule paths and notifier names.")
    var config: String?

    @Flag(help: "Print the diagnostics as a JSON array.")
    var json = false

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    func run() throws {
        let configPath = Configuration.locate(explicit: config, environment: ProcessInfo.processInfo.environment)
        var configuration: Configuration?
        var diagnostics: [Diagnostic] = []
        if config != nil || FileManager.default.fileExists(atPath: configPath) {
            let loaded = Configuration.load(path: configPath)
            diagnostics += loaded.diagnostics
            configuration = loaded.configuration
            if configuration == nil, paths.isEmpty {
                try report(diagnostics, summary: "config \(configPath) has errors")
                throw ExitCode(1)
            }
        }
        let targets = paths.isEmpty ? (configuration?.rules ?? []) : paths
        guard !targets.isEmpty else {
            throw ValidationError("no rule paths given and no config found at \(configPath); name a file or directory")
        }
        let notifiers = configuration.map { Set($0.notifiers.map(\.name)) }
        let result = RuleSetLoader(knownNotifiers: notifiers).load(paths: targets)
        diagnostics += result.diagnostics
        var summary: String
        if let set = result.ruleSet {
            summary =
                "\(set.rules.count) rules, \(set.inhibits.count) inhibit rules, \(set.policies.count) escalation policies"
            // People and windows only when there are some, so the usual summary reads as before.
            let extras = [
                (set.users.count, "users"), (set.schedules.count, "schedules"),
                (set.maintenance.count, "maintenance windows"),
            ].filter { $0.0 > 0 }
            for (count, what) in extras { summary += ", \(count) \(what)" }
            summary += " in \(result.files.count) files"
            if notifiers == nil, !set.notifierNames.isEmpty {
                summary += "; notifier names not checked (no config: pass --config)"
            }
        } else {
            summary = "rules have errors"
        }
        try report(diagnostics, summary: summary)
        let failed = diagnostics.contains { $0.severity == .error || strict }
        if failed { throw ExitCode(1) }
    }

    func report(_ diagnostics: [Diagnostic], summary: String) throws {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        if json {
            let items = diagnostics.map {
                [
                    "file": $0.file, "line": $0.line, "column": $0.column, "severity": $0.severity.rawValue,
                    "code": $0.code, "message": $0.message,
                ] as [String: Any]
            }
            let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for diagnostic in diagnostics { print(diagnostic) }
        let failed = errors > 0 || (strict && warnings > 0)
        let strictNote = strict && warnings > 0 && errors == 0 ? " (--strict)" : ""
        print("\(failed ? "FAILED" : "OK"): \(summary); \(errors) errors, \(warnings) warnings\(strictNote)")
    }
}
