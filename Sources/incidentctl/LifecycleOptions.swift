import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

/// What ack, resolve, close and reopen share: the incident, who acts and why.
struct LifecycleOptions: ParsableArguments {
    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident: INC-7 or 7.")
    var id: IncidentArgument

    @Option(help: "Who acts (default: $SUDO_USER, else your user name).")
    var by: String?

    @Option(help: "Why, for the timeline.")
    var note: String?

    /// Performs the action and prints the incident's new state.
    func perform(_ action: IncidentState.Action) async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            let incident = try await client.perform(action, incident: id.number, by: person, note: note).value
            print("\(incident.id) is now \(incident.state.rawValue) (by \(person))")
        } catch {
            throw CommandFailure(error)
        }
    }
}
