import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a post-incident review in Markdown: summary, alerts, escalations, timeline, notes.",
        discussion: """
            Everything incidentd recorded is filled in; the Root cause and Action items sections are left for you.
            --save keeps the review in the knowledge base as an article (with --learnings, what was learnt, in \
            Markdown) and prints its slug and page; incidentctl kb search finds it.
            Example: incidentctl review INC-7 > INC-7-review.md
            Example: incidentctl review INC-7 --save --learnings learnings.md
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident: INC-7 or 7.")
    var id: IncidentArgument

    @Flag(help: "Save the review as a knowledge-base article instead of printing it.")
    var save = false

    @Option(help: "With --save: a Markdown file of learnings, or - for standard input.")
    var learnings: String?

    @Option(help: "With --save: the article's title (default: the incident's id and title).")
    var title: String?

    @Option(help: "With --save: who writes it (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        if !save, learnings != nil || title != nil || by != nil {
            throw ValidationError("--learnings, --title and --by go with --save")
        }
        if let title, title.allSatisfy(\.isWhitespace) { throw ValidationError("--title is empty") }
    }

    func run() async throws {
        let client = try daemon.client()
        let learningsText = try learnings.map(Self.readLearnings) ?? ""
        do {
            let detail = try await client.incident(id.number).value
            let document = ReviewDocument.render(detail, now: currentTime())
            guard save else {
                print(document, terminator: "")
                return
            }
            let draft = KnowledgeArticleDraft(
                title: title ?? Self.defaultTitle(detail.incident), body: document, learnings: learningsText,
                incident: detail.incident.number, rule: detail.incident.rule,
                author: by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment))
            let article = try await client.saveArticle(draft).value
            print("saved the review of \(detail.incident.id) as \(article.slug): \(article.path)")
        } catch {
            throw CommandFailure(error)
        }
    }

    /// `INC-7: Disk full on db1`, on one line and within the title's limit.
    static func defaultTitle(_ incident: Incident) -> String {
        let line = incident.title.map { $0.isNewline ? " " : String($0) }.joined()
        return String("\(incident.id): \(line)".prefix(KnowledgeArticle.maxTitleLength))
    }

    /// The learnings file, or standard input for `-`, as UTF-8 text.
    static func readLearnings(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure(message: "error: cannot read the learnings file \(path)")
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(message: "error: the learnings in \(path) are not UTF-8 text")
        }
        return text
    }
}
