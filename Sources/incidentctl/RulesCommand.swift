import ArgumentParser

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with rule files offline: check them, explain what they make of an event.",
        subcommands: [RulesCheck.self, RulesExplain.self, RulesTest.self]
    )
}
