import ArgumentParser

struct SilenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Add, list and expire silences: mute the pages of the alerts they match, for a time.",
        discussion: """
            A silenced alert is still recorded and correlated into its incident; only escalation waits. The \
            daemon serves the same silences in Alertmanager's API, so amtool works too (docs/API.md).
            """,
        subcommands: [SilenceAdd.self, SilenceList.self, SilenceExpire.self]
    )
}
