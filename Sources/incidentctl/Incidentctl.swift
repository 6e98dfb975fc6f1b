import ArgumentParser
import Foundation

@main
struct Incidentctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidentctl",
        abstract: "The incidentd client: check, explain and test rules offline; drive the daemon.",
        discussion: """
            Exit codes: 0 ok, 1 a failure you can fix (bad rules, failed test, daemon error), 2 usage error.
            The config is --config, else $INCIDENTD_CONFIG, else /etc/incidentd/incidentd.yaml. Commands that \
            talk to the daemon use its HTTP API on http.control_socket (override with --socket); send writes to \
            sources.socket.path. --config and --socket go before or after the command: \
            incidentctl --config FILE list, incidentctl list --config FILE.
            """,
        subcommands: [
            RulesCommand.self, Replay.self, Send.self, List.self, Show.self, Ack.self, Resolve.self, Close.self,
            Reopen.self, Merge.self, Split.self, Note.self, Open.self, Report.self, Review.self, SilenceCommand.self,
            OnCall.self, UserCommand.self, KnowledgeBaseCommand.self, StoreCommand.self, Status.self,
        ]
    )

    /// Runs the command and maps usage errors to exit code 2 (SPEC §2), which ArgumentParser would make 64.
    static func main() async {
        do {
            var command = try parseAsRoot(
                LeadingOptions.reordered(Array(CommandLine.arguments.dropFirst()), root: self))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exitWithSpecCode(error, for: self)
        }
    }
}

/// Prints an ArgumentParser error and exits with the code SPEC §2 asks for.
func exitWithSpecCode(_ error: any Error, for command: any ParsableCommand.Type) -> Never {
    let code = command.exitCode(for: error)
    if code == .success {
        command.exit(withError: error)
    }
    if let failure = error as? CommandFailure {
        FileHandle.standardError.write(Data((failure.message + "\n").utf8))
        Foundation.exit(1)
    }
    if error is ExitCode {
        command.exit(withError: error)
    }
    FileHandle.standardError.write(Data((command.fullMessage(for: error) + "\n").utf8))
    Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
}

/// A failure the user can fix: printed as is, exit 1.
struct CommandFailure: Error {
    var message: String
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
