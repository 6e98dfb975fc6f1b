import ArgumentParser
import IncidentClient

struct KnowledgeBaseSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find articles by words in their title, body or learnings, best first.",
        discussion: """
            Every word must occur (the last one may be the start of a word); matches in the title rank first. \
            The text is plain words: quotes, *, OR, NEAR and parentheses have no special meaning. Matched words \
            are shown in [brackets]. --json prints the API body (docs/API.md).
            Example: incidentctl kb search disk full
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The words to look for.")
    var words: [String] = []

    @Option(help: "At most this many articles (1-1000).")
    var limit = 20

    @Flag(help: "Print the API's JSON.")
    var json = false

    func validate() throws {
        if words.joined().allSatisfy(\.isWhitespace) { throw ValidationError("give the words to look for") }
        if !(1...1000).contains(limit) { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.searchArticles(words.joined(separator: " "), limit: limit)
            if json {
                printOutput(response.body)
            } else {
                print(KnowledgeSearchView.render(response.value, now: currentTime()))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
