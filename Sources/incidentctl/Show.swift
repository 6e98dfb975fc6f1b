import ArgumentParser
import IncidentClient

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one incident with its alerts, timeline and notes.",
        discussion: """
            --json prints the API body unchanged: the incident's fields plus alert_list, timeline and notes \
            (docs/API.md).
            Example: incidentctl show INC-7
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident: INC-7 or 7.")
    var id: IncidentArgument

    @Flag(help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.incident(id.number)
            if json {
                printOutput(response.body)
            } else {
                print(IncidentDetailView.render(response.value, now: currentTime()))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
