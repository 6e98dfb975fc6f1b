import ArgumentParser
import Foundation
import IncidentCore
import IncidentEngine
import IncidentJournal
import IncidentRules

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run recorded events through the rules offline, with event time as the clock; print the incidents.",
        discussion: """
            FILEs may be journal files (*.journal), journal export text (journalctl -o export), webhook payload \
            files (Alertmanager, PagerDuty, Grafana, generic JSON) or NDJSON with one payload per line. Events are \
            ordered by their own time (an event without one keeps its place after the one before it). A bad line \
            or entry is reported on standard error and skipped; the rest is replayed.
            --json prints {"incidents": [incident JSON as in the HTTP API], "events": {read, absorbed, pending, \
            below_threshold, dropped, unmatched, stale}, "problems": [text]}.
            """
    )

    @Option(name: .customLong("rules"), help: "A rule file or directory; repeat for more (default: the config's).")
    var rulePaths: [String] = []

    @Option(help: "The daemon config, when --rules is not given.")
    var config: String?

    @Option(help: "Read every journal file in this directory.")
    var journalDir: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Argument(help: "Recorded files.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty, journalDir == nil { throw ValidationError("give FILEs or --journal-dir") }
    }

    func run() throws {
        let ruleSet = try loadRuleSet(paths: rulePaths, config: config)
        let reader = RecordedEventReader()
        var events: [Event] = []
        var problems: [RecordedEventReader.Problem] = []
        if let journalDir {
            let (e, p) = reader.readJournal(directory: journalDir)
            events += e
            problems += p
        }
        for file in files {
            let (e, p) = reader.read(file: file)
            events += e
            problems += p
        }
        for problem in problems { printError("skipped: \(problem)") }
        let result = Self.replay(events, ruleSet: ruleSet)
        if json {
            try printJSON(result, problems: problems.map(\.description))
        } else {
            printTable(result.incidents)
            let s = result.stats
            print(
                "\(s.eventsIn) events: \(s.absorbed) absorbed, \(s.pending) pending, \(s.belowThreshold) below threshold, \(s.dropped) dropped, \(s.unmatched) unmatched, \(s.stale) stale; \(problems.count) skipped as unreadable"
            )
        }
    }

    struct Result {
        var incidents: [Incident]
        var stats: EngineStats
    }

    /// Event time is the clock: each event is taken at its own time, and timers run in between.
    static func replay(_ recorded: [Event], ruleSet: RuleSet) -> Result {
        var timed: [(Timestamp, Int, Event)] = []
        var previous = Timestamp.zero
        for (i, var event) in recorded.enumerated() {
            let own = event.status == .resolved ? (event.endsAt ?? event.startsAt) : event.startsAt
            let time = own ?? (event.receivedAt != .zero ? event.receivedAt : previous)
            event.receivedAt = time
            previous = time
            timed.append((time, i, event))
        }
        timed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var engine = CorrelationEngine(ruleSet: ruleSet)
        var incidents: [Int: Incident] = [:]
        func collect(_ effects: [Effect]) {
            for incident in effects.lazy.compactMap(\.incidentSnapshot) { incidents[incident.number] = incident }
        }
        for (time, _, event) in timed {
            collect(engine.advance(to: time))
            collect(engine.ingest(event))
        }
        return Result(incidents: incidents.keys.sorted().map { incidents[$0]! }, stats: engine.stats)
    }

    func printTable(_ incidents: [Incident]) {
        guard !incidents.isEmpty else {
            print("no incidents")
            return
        }
        let rows = incidents.map {
            [
                $0.id, $0.state.rawValue, $0.priority.rawValue, $0.kind.rawValue, "\($0.alerts)", "\($0.events)",
                $0.openedAt.rfc3339, $0.rule, $0.title,
            ]
        }
        printColumns(["ID", "STATE", "PRI", "KIND", "ALERTS", "EVENTS", "OPENED", "RULE", "TITLE"], rows)
    }

    func printJSON(_ result: Result, problems: [String]) throws {
        struct Output: Encodable {
            var incidents: [Incident]
            var events: [String: Int]
            var problems: [String]
        }
        let s = result.stats
        let output = Output(
            incidents: result.incidents,
            events: [
                "read": s.eventsIn, "absorbed": s.absorbed, "pending": s.pending, "below_threshold": s.belowThreshold,
                "dropped": s.dropped, "unmatched": s.unmatched, "stale": s.stale,
            ], problems: problems)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}

/// Prints left-aligned columns; the last column is not padded.
func printColumns(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in [header] + rows {
        let cells = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}
