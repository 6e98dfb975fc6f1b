import ArgumentParser

struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge an incident: you are on it, and escalation pauses.",
        discussion: """
            Prints the incident's new state. --by defaults to $SUDO_USER, else your user name. Exit 1 when the \
            incident does not exist or the change is not allowed from its state (the daemon says why).
            Example: incidentctl ack INC-7 --note 'looking at the disk'
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        try await options.perform(.acknowledge)
    }
}
