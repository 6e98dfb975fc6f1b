import ArgumentParser
import Foundation
import IncidentRules

@main
struct Incidentd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidentd",
        abstract: "Turn alert noise into incidents and make sure a human hears about each one.",
        discussion: """
            The config is --config, else $INCIDENTD_CONFIG, else /etc/incidentd/incidentd.yaml.
            This build provides `incidentd validate`; the long-running daemon is not built yet.
            """,
        subcommands: [Validate.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    func run() throws {
        FileHandle.standardError.write(
            Data(
                "incidentd: the daemon is not part of this build yet; `incidentd validate` checks a config and its rules.\n"
                    .utf8))
        throw ExitCode(1)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the config and every rule file; exit 0, or 1 with diagnostics (for ExecStartPre/ExecReload)."
    )

    @Option(help: "The config file.")
    var config: String?

    @Flag(help: "Say nothing when everything is valid.")
    var quiet = false

    func run() throws {
        let path = Configuration.locate(explicit: config, environment: ProcessInfo.processInfo.environment)
        let (configuration, rules, diagnostics) = Configuration.validate(path: path)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let configuration, let ruleSet = rules?.ruleSet else {
            FileHandle.standardError.write(Data("incidentd: \(path) is not valid\n".utf8))
            throw ExitCode(1)
        }
        if !quiet {
            print(
                "\(path): OK: \(configuration.notifiers.count) notifiers; \(ruleSet.rules.count) rules, \(ruleSet.policies.count) escalation policies from \(ruleSet.files.count) files"
            )
        }
    }
}
