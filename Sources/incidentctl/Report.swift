import ArgumentParser
import IncidentClient
import IncidentCore

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counts, MTTA and MTTR by kind and priority for incidents opened in a period.",
        discussion: """
            MTTA is the mean time from opening to acknowledgement over the incidents acknowledged, MTTR to \
            resolution over those resolved. --since is a duration back from now (30m, 12h, 7d, 2w) or an RFC 3339 \
            time. --json prints the API body: {"since", "lines": [{"kind", "priority", "count", "mtta_seconds", \
            "mttr_seconds"}], "total"} (docs/API.md).
            Example: incidentctl report --since 30d
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "The period: a duration back from now, or an RFC 3339 time.")
    var since = "7d"

    @Flag(help: "Print the API's JSON.")
    var json = false

    func validate() throws {
        guard DurationText.parse(since) != nil || Timestamp(rfc3339: since) != nil else {
            throw ValidationError("--since '\(since)' is neither a duration (30m, 7d) nor an RFC 3339 time")
        }
    }

    func run() async throws {
        let client = try daemon.client()
        do {
            let response = try await client.report(since: since)
            if json {
                printOutput(response.body)
            } else {
                print(ReportView.render(response.value))
            }
        } catch {
            throw CommandFailure(error)
        }
    }
}
