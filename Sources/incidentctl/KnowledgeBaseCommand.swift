import ArgumentParser

struct KnowledgeBaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Search and read the knowledge base: post-incident reviews and what was learnt from them.",
        discussion: """
            Save a review as an article with incidentctl review INC-7 --save; rules link to articles with \
            runbook: kb:SLUG (docs/RULES.md). The daemon serves each article at /kb/SLUG.
            """,
        subcommands: [KnowledgeBaseSearch.self, KnowledgeBaseShow.self]
    )
}
