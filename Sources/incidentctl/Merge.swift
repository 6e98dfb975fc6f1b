import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge an incident into another: they are one problem the engine kept apart.",
        discussion: """
            Every alert of the first incident moves to the one named by --into, which takes the higher kind and \
            priority of the two (a priority rise may switch its escalation policy; otherwise its escalation goes \
            on as it was, and nobody is paged again). The merged incident closes and its pending pages are \
            cancelled; later events of its alerts and of its groups land in the --into incident. Both timelines \
            say so. Prints the resulting incident. Exit 1 when either incident is unknown or closed, or when \
            they are the same.
            Example: incidentctl merge INC-8 --into INC-7
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident to merge away: INC-8 or 8.")
    var id: IncidentArgument

    @Option(help: "The incident that takes its alerts: INC-7 or 7.")
    var into: IncidentArgument

    @Option(help: "Who merges (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        guard id.number != into.number else {
            throw ValidationError("\(Incident.id(id.number)) cannot be merged into itself; name another incident")
        }
    }

    func run() async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            let incident = try await client.merge(incident: id.number, into: into.number, by: person).value
            print(
                "\(Incident.id(id.number)) merged into \(incident.id) (by \(person)): \(incident.id) is \(incident.state.rawValue), \(incident.priority.rawValue), \(incident.alerts) alerts"
            )
        } catch {
            throw CommandFailure(error)
        }
    }
}
