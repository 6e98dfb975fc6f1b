import ArgumentParser

struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Close an incident: nothing more to do; a new alert opens a new incident.",
        discussion: """
            Prints the incident's new state. --by defaults to $SUDO_USER, else your user name. Exit 1 when the \
            incident does not exist or the change is not allowed from its state (the daemon says why).
            Example: incidentctl close INC-7 --note 'review done'
            """
    )

    @OptionGroup var options: LifecycleOptions

    func run() async throws {
        try await options.perform(.close)
    }
}
