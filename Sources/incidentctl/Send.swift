import ArgumentParser
import Foundation
import IncidentClient
import IncidentConfig
import IncidentCore

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one alert to the daemon's ingest socket and wait until it is committed.",
        discussion: """
            Writes one line of NDJSON in Alertmanager API v2 form to sources.socket.path (not HTTP) and waits for \
            the daemon's reply, which comes only after the event and everything it caused are on disk. Prints the \
            incidents the alert opened or joined. Exit 0 when acknowledged, 1 when refused or unreachable, \
            2 for usage errors (no --label).
            Example: incidentctl send --label alertname=DiskFull --label instance=db1:9100 \
            --label severity=critical --annotation summary='disk 95% full'
            Example: incidentctl send --label alertname=DiskFull --label instance=db1:9100 --resolve
            """
    )

    @Option(name: .customLong("label"), help: "A label NAME=VALUE; repeat for more (at least one).")
    var labels: [String] = []

    @Option(name: .customLong("annotation"), help: "An annotation NAME=VALUE; repeat for more.")
    var annotations: [String] = []

    @Flag(help: "Send the alert as resolved, ending now.")
    var resolve = false

    @Option(
        help:
            "The daemon config, for sources.socket.path (default: $INCIDENTD_CONFIG, else \(Configuration.defaultPath))"
    )
    var config: String?

    @Option(help: "The ingest socket, overriding the config's sources.socket.path.")
    var ingestSocket: String?

    func validate() throws {
        if labels.isEmpty {
            throw ValidationError("give at least one --label NAME=VALUE: labels are the alert's identity")
        }
    }

    func run() throws {
        let alert: AlertLine
        do {
            alert = try AlertLine(
                labels: try KeyValueArgument.parseAll(labels, option: "--label"),
                annotations: try KeyValueArgument.parseAll(annotations, option: "--annotation"), resolve: resolve,
                now: currentTime())
        } catch {
            throw ValidationError(error)
        }
        let path =
            try ingestSocket ?? DaemonOptions.configuration(explicit: config)?.socket.path
            ?? Configuration().socket.path
        let reply: IngestReply
        do {
            reply = try IngestSocketClient(path: path).send(alert.line)
        } catch {
            throw CommandFailure(error)
        }
        guard reply.ok else { throw CommandFailure(message: "error: \(reply.summary)") }
        print(reply.summary)
    }
}
