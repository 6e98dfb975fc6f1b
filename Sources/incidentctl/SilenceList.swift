import ArgumentParser
import Foundation
import IncidentClient

struct SilenceList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List silences: active and pending ones, or all with --all.",
        discussion: """
            Columns: id, state (active, pending, expired), matchers, who created it, when it ends or starts, \
            and the comment. --json prints Alertmanager's GettableSilence list (docs/API.md).
            Example: incidentctl silence list --all
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Flag(help: "Include expired silences.")
    var all = false

    @Flag(help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.silences()
            let shown = response.value.filter { all || $0.state != .expired }
            if json {
                if all {
                    printOutput(response.body)
                } else {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    printOutput(try encoder.encode(shown))
                }
            } else {
                print(SilenceListView.render(shown, now: currentTime()))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
