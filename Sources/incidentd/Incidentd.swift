import ArgumentParser
import Foundation
import IncidentConfig
import IncidentDaemon
import IncidentRules
import Logging

@main
struct Incidentd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidentd",
        abstract: "Turn alert noise into incidents and make sure a human hears about each one.",
        discussion: """
            Without a subcommand, runs the daemon in the foreground (systemd's Type=notify) until SIGTERM;
            SIGHUP reloads the rules. The config is --config, else $INCIDENTD_CONFIG, else
            /etc/incidentd/incidentd.yaml.

            Example: incidentd --config dev/incidentd.yaml
            """,
        subcommands: [Run.self, Validate.self],
        defaultSubcommand: Run.self
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground until SIGTERM (the default when no subcommand is given)."
    )

    @Option(help: "The config file.")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // Before the daemon allocates its working set (see MallocTuning).
        let mallocTuning = MallocTuning.apply(environment: ProcessInfo.processInfo.environment)
        let path = Configuration.locate(explicit: config, environment: ProcessInfo.processInfo.environment)
        let level = logLevel
        // Under systemd, stderr is a journal stream: write structured entries instead of flat lines.
        let journal = JournalLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "incidentd")
        #if canImport(Glibc)
            if mallocTuning == .unavailable {
                logger.notice("cannot fix glibc's mmap threshold; large buffers may keep memory resident after use")
            }
        #endif
        do {
            try await Daemon(configPath: path, logger: logger).run()
        } catch {
            logger.critical("incidentd cannot run", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("incidentd: \(error)\n".utf8))
            throw ExitCode(1)
        }
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

extension Logger.Level: @retroactive ExpressibleByArgument {}
