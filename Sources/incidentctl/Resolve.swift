import ArgumentParser

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve an incident: the problem is gone, and escalation stops.",
        discussion: """
            Prints the incident's new state. --by defaults to $SUDO_USER, else your user name. Exit 1 when the \
            incident does not exist or the change is not allowed from its state (the daemon says why).
            Example: incidentctl resolve INC-7 --note 'old logs removed'
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        try await options.perform(.resolve)
    }
}
