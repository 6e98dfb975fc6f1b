import ArgumentParser
import IncidentClient
import IncidentCore

struct OnCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "Say who is on call now and next, per schedule.",
        discussion: """
            Schedules come from the rule files (schedules:, SPEC §12); overrides are marked. --at asks about \
            another time (RFC 3339). --json prints the API body: {"at": TIME, "schedules": [{name, timezone, \
            now: {user, start, end, override}, next: {...}}]}.
            Examples: incidentctl oncall; incidentctl oncall primary --at 2026-12-24T09:00:00Z
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "Only this schedule.")
    var schedule: String?

    @Option(help: ArgumentHelp("The time to ask about (RFC 3339; default now).", valueName: "time"))
    var at: String?

    @Flag(help: "Print the API's JSON.")
    var json = false

    func validate() throws {
        if let at, Timestamp(rfc3339: at) == nil {
            throw ValidationError("--at '\(at)' is not an RFC 3339 time, e.g. 2026-12-24T09:00:00Z")
        }
    }

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.onCall(at: at.flatMap { Timestamp(rfc3339: $0) }, schedule: schedule)
            if json {
                printOutput(response.body)
            } else {
                print(OnCallView.render(response.value))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
