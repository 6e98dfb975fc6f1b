import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct Split: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split an alert out of an incident into a new incident of its own.",
        discussion: """
            For an alert the engine joined to the wrong incident. The alert (its fingerprint as \
            `incidentctl show` lists it) leaves the incident with its event count and first-seen time, and a new \
            incident opens for it, classified from its labels by the rules as if it had arrived alone; it \
            escalates under its own policy. Its later events land in the new incident; the old one keeps \
            collecting its own group. Both timelines say so. An incident's only alert cannot be split off. \
            Prints the new incident. Exit 1 when the incident is unknown or closed, or has no such alert.
            Example: incidentctl split INC-7 --alert 3f2a9c0d1e4b5a67
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident that holds the alert: INC-7 or 7.")
    var id: IncidentArgument

    @Option(help: "The alert's fingerprint: 16 hex digits, as `incidentctl show` lists it.")
    var alert: String

    @Option(help: "Who splits (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        guard alert.utf8.count == 16, Fingerprint(hex: alert) != nil else {
            throw ValidationError(
                "--alert '\(alert)' is not a fingerprint: 16 hex digits, as `incidentctl show \(Incident.id(id.number))` lists them"
            )
        }
    }

    func run() async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        guard let fingerprint = Fingerprint(hex: alert) else { throw ValidationError("bad --alert") }
        do {
            let incident = try await client.split(incident: id.number, alert: fingerprint, by: person).value
            print(
                "alert \(fingerprint) split off \(Incident.id(id.number)) into \(incident.id) (by \(person)): \(incident.state.rawValue), \(incident.priority.rawValue), \(incident.title)"
            )
        } catch {
            throw CommandFailure(error)
        }
    }
}
