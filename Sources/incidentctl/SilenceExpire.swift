import ArgumentParser
import Foundation
import IncidentClient

struct SilenceExpire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Expire a silence now: its alerts page again if they still fire.",
        discussion: """
            Exit 1 when there is no such silence or it has already expired.
            Example: incidentctl silence expire 5f0c3b1e-9a52-4d3c-8a8e-2b1f6d0c7e41
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The silence id, as silence add and silence list print it.")
    var id: String

    @Option(help: "Who expires it (default: $SUDO_USER, else your user name).")
    var by: String?

    func run() async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            try await client.expireSilence(id: id, by: person)
            print("silence \(TerminalText.safe(id)) expired (by \(TerminalText.safe(person)))")
        } catch {
            throw CommandFailure(error)
        }
    }
}
