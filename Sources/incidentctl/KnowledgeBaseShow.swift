import ArgumentParser
import IncidentClient

struct KnowledgeBaseShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one article: its fields, then its Markdown and learnings.",
        discussion: """
            --json prints the API body (docs/API.md).
            Example: incidentctl kb show inc-7-disk-full-on-db1
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The article's slug, as search and review --save print it.")
    var slug: String

    @Flag(help: "Print the API's JSON.")
    var json = false

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.article(slug: slug)
            if json {
                printOutput(response.body)
            } else {
                print(KnowledgeArticleView.render(response.value, now: currentTime()))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
