import ArgumentParser

struct Reopen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reopen a resolved incident: it is back, and escalation starts again.",
        discussion: """
            Prints the incident's new state. --by defaults to $SUDO_USER, else your user name. Exit 1 when the \
            incident does not exist or the change is not allowed from its state (the daemon says why).
            Example: incidentctl reopen INC-7 --note 'disk filling again'
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        try await options.perform(.reopen)
    }
}
