import IncidentCore
import IncidentEngine
import IncidentRules
import Testing

/// Compiles rule text or fails the test with its diagnostics.
func compile(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RuleSet {
    let result = RuleSetLoader().load(text: yaml, file: "test.yaml")
    #expect(result.errors.isEmpty, "\(result.errors)", sourceLocation: sourceLocation)
    return result.ruleSet ?? .empty
}

let t0 = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!

func at(_ seconds: Double) -> Timestamp { t0 + .milliseconds(Int64(seconds * 1000)) }

func event(
    _ labels: Labels, _ time: Double, status: EventStatus = .firing, annotations: Labels = [:],
    source: EventSource = .socket, delay: Double = 0
) -> Event {
    Event(
        labels: labels, annotations: annotations, status: status, startsAt: at(time),
        endsAt: status == .resolved ? at(time) : nil, source: source, receivedAt: at(time + delay))
}

/// Drives an engine the way the daemon does (clock advanced to each event's arrival) and keeps what it emits.
struct Harness {
    var engine: CorrelationEngine
    var incidents: [Int: Incident] = [:]
    var notifications: [Notification] = []
    var timeline: [(Int, TimelineEntry)] = []
    var effects: [Effect] = []

    init(_ yaml: String) { engine = CorrelationEngine(ruleSet: compile(yaml)) }
    init(ruleSet: RuleSet) { engine = CorrelationEngine(ruleSet: ruleSet) }

    mutating func collect(_ new: [Effect]) {
        effects += new
        for effect in new {
            switch effect {
            case .incident(let incident), .incidentActivity(let incident): incidents[incident.number] = incident
            case .notify(let n): notifications.append(n)
            case .timeline(let number, let entry): timeline.append((number, entry))
            default: break
            }
        }
    }

    mutating func send(_ e: Event) {
        collect(engine.advance(to: e.receivedAt))
        collect(engine.ingest(e))
    }

    mutating func send(
        _ labels: Labels, at time: Double, status: EventStatus = .firing, annotations: Labels = [:],
        source: EventSource = .socket
    ) {
        send(event(labels, time, status: status, annotations: annotations, source: source))
    }

    mutating func advance(_ seconds: Double) { collect(engine.advance(to: at(seconds))) }

    mutating func perform(_ action: IncidentState.Action, _ number: Int, at seconds: Double, by: String = "alice")
        throws
    {
        collect(engine.advance(to: at(seconds)))
        collect(try engine.perform(action, incident: number, by: by, at: at(seconds)))
    }

    var list: [Incident] { incidents.keys.sorted().map { incidents[$0]! } }

    func timeline(of number: Int, type: String) -> [String] {
        timeline.filter { $0.0 == number && $0.1.type == type }.map(\.1.detail)
    }

    func keys(_ number: Int? = nil) -> [String] {
        notifications.filter { number == nil || $0.incident == number }.map { "\($0.notifier)@\($0.idempotencyKey)" }
    }
}

/// `h` as it runs, and the same with its engine restored from its own exported state: what a restart would hold.
/// A test sends both the same events and expects the same of each.
func liveAndRestarted(_ h: Harness, _ ruleSet: RuleSet) throws -> [Harness] {
    var restarted = h
    restarted.engine = CorrelationEngine(
        restoring: try EngineState.decode(try h.engine.exportState().encoded()), ruleSet: ruleSet)
    return [h, restarted]
}
