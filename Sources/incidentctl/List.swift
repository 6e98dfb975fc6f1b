import ArgumentParser
import IncidentClient

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List incidents (open and acknowledged by default), newest first.",
        discussion: """
            --state takes one state, several comma-separated (open,acknowledged,resolved,closed), or all.
            --json prints the API body unchanged: {"incidents": [incident, ...]} (docs/API.md).
            Example: incidentctl list --state all --kind outage --priority P1
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "open, acknowledged, resolved, closed (comma-separated), or all.")
    var state: String?

    @Option(help: "outage, degradation, security or user_issue.")
    var kind: String?

    @Option(help: "P1 to P5.")
    var priority: String?

    @Flag(help: "Print the API's JSON.")
    var json = false

    func validate() throws {
        do {
            _ = try IncidentFilter(state: state, kind: kind, priority: priority)
        } catch {
            throw ValidationError(error)
        }
    }

    func run() async throws {
        let filter = try IncidentFilter(state: state, kind: kind, priority: priority)
        let client = try daemon.client()
        do {
            let response = try await client.incidents(filter)
            if json {
                printOutput(response.body)
            } else {
                print(IncidentListView.render(response.value, now: currentTime()))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
