import ArgumentParser
import IncidentClient

struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a post-incident review in Markdown: summary, alerts, escalations, timeline, notes.",
        discussion: """
            Everything incidentd recorded is filled in; the Root cause and Action items sections are left for you.
            Example: incidentctl review INC-7 > INC-7-review.md
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident: INC-7 or 7.")
    var id: IncidentArgument

    func run() async throws {
        let client = try daemon.client()
        do {
            let detail = try await client.incident(id.number).value
            print(ReviewDocument.render(detail, now: currentTime()), terminator: "")
        } catch {
            throw CommandFailure(error)
        }
    }
}
