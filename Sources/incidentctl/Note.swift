import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore

struct Note: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add a note to an incident (also to a closed one).",
        discussion: """
            Notes appear in show, in the timeline and in review.
            Example: incidentctl note INC-7 'vendor ticket 4711 opened'
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The incident: INC-7 or 7.")
    var id: IncidentArgument

    @Argument(help: "The note.")
    var text: String

    @Option(help: "Who writes it (default: $SUDO_USER, else your user name).")
    var by: String?

    func validate() throws {
        if text.allSatisfy(\.isWhitespace) { throw ValidationError("the note TEXT is empty") }
    }

    func run() async throws {
        let client = try daemon.client()
        let person = by ?? CallingUser.name(environment: ProcessInfo.processInfo.environment)
        do {
            let note = try await client.addNote(incident: id.number, by: person, text: text).value
            print("note added to \(Incident.id(note.incident)) by \(note.author)")
        } catch {
            throw CommandFailure(error)
        }
    }
}
