import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct Open: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log an incident a person reported (service desk); it is prioritised and escalated like any other.",
        discussion: """
            Impact and urgency default to medium (priority P3). Prints the new incident's id and priority.
            Example: incidentctl open --kind user_issue --title 'VPN drops every 10 minutes' --impact medium \
            --urgency high --label team=netops
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "outage, degradation, security or user_issue.")
    var kind: String

    @Option(help: "What is wrong, in one line.")
    var title: String

    @Option(help: "high, medium or low (default medium).")
    var impact: String?

    @Option(help: "high, medium or low (default medium).")
    var urgency: String?

    @Option(name: .customLong("label"), help: "A label NAME=VALUE; repeat for more.")
    var labels: [String] = []

    @Option(help: "Who reports it (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        _ = try request()
    }

    /// The request the arguments make; a usage error names the bad value and the valid ones.
    func request() throws -> ReportedIncident {
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            return try ReportedIncident(
                kind: kind, title: title, impact: impact, urgency: urgency,
                labels: KeyValueArgument.parseAll(labels, option: "--label"), by: person)
        } catch {
            throw ValidationError(error)
        }
    }

    func run() async throws {
        let reported = try request()
        let client = try daemon.client()
        do {
            let incident = try await client.open(reported).value
            print(
                "opened \(incident.id) (\(incident.priority.rawValue), \(incident.state.rawValue)): \(incident.title)")
        } catch {
            throw CommandFailure(error)
        }
    }
}
