// Engine throughput and memory: a synthetic stream of events over many fingerprints through many rules,
// on one thread, in a release build. Prints a Markdown table; BENCHMARKS.md records a run.
//
//   swift build -c release --product engine-bench && .build/release/engine-bench [--events N] [--fingerprints N]
import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules

struct Options {
    var events = 1_000_000
    var fingerprints = 10_000
    var activeAlerts = 100_000

    init(_ arguments: [String]) {
        var i = 1
        while i + 1 < arguments.count {
            let value = Int(arguments[i + 1]) ?? 0
            switch arguments[i] {
            case "--events": events = value
            case "--fingerprints": fingerprints = value
            case "--active-alerts": activeAlerts = value
            default: break
            }
            i += 2
        }
    }
}

/// `count` rules keyed on alertname (like a real Alertmanager estate), a few regex rules and a catch-all.
func ruleText(count: Int) -> String {
    var yaml = "rules:\n"
    for i in 0..<count {
        let kind = ["outage", "degradation", "security", "user_issue"][i % 4]
        yaml += """
              - name: rule-\(i)
                match: ['alertname="Alert\(i)"', 'severity=~"critical|warning|info"']
                kind: \(kind)
                impact: { count_distinct: instance, medium: 3, high: 10 }
                group_by: [service]
                title: 'Alert\(i) on {{service}}'

            """
    }
    yaml += """
          - name: regex-disk
            match: ['alertname=~"Disk.*"', 'mountpoint!~"/boot.*"']
            group_by: [instance]
          - name: catch-all
            match: []
        escalation_policies:
          - name: default
            steps: [{ after: 0s, notify: [oncall] }, { after: 15m, notify: [lead] }]

        """
    return yaml
}

func compile(_ yaml: String) -> RuleSet {
    let result = RuleSetLoader().load(text: yaml, file: "bench.yaml")
    guard let set = result.ruleSet else { fatalError("benchmark rules do not compile: \(result.errors)") }
    return set
}

/// A deterministic stream: event i belongs to fingerprint i % fingerprints; one event in 53 resolves.
func stream(events: Int, fingerprints: Int, alertNames: Int, start: Timestamp) -> [Event] {
    var result: [Event] = []
    result.reserveCapacity(events)
    let severities = ["critical", "warning", "info"]
    for i in 0..<events {
        let f = i % fingerprints
        let labels: Labels = [
            "alertname": "Alert\(f % alertNames)", "instance": "host-\(f / alertNames):9100",
            "service": "svc-\(f % 97)", "severity": severities[f % 3],
        ]
        let time = start + .milliseconds(Int64(i))
        let resolved = i % 53 == 52  // 53 is coprime with the fingerprint counts: every alert fires and resolves
        result.append(
            Event(
                labels: labels, annotations: ["summary": "value is high"], status: resolved ? .resolved : .firing,
                startsAt: time, endsAt: resolved ? time : nil, source: .socket, receivedAt: time))
    }
    return result
}

/// Resident memory from /proc (mallinfo2 is not exported to Swift); measured around a large allocation so
/// the page granularity does not matter.
func allocatedBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kb * 1024
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs the stream through a fresh engine; returns events per second (best of `runs`).
func throughput(_ ruleSet: RuleSet, _ events: [Event], runs: Int = 3) -> (Double, EngineStats) {
    var best = 0.0
    var stats = EngineStats()
    for _ in 0..<runs {
        var engine = CorrelationEngine(ruleSet: ruleSet)
        var effects = 0
        let elapsed = seconds {
            for (i, event) in events.enumerated() {
                if i % 1000 == 0 { effects &+= engine.advance(to: event.receivedAt).count }
                effects &+= engine.ingest(event).count
            }
        }
        precondition(effects > 0)
        stats = engine.stats
        best = max(best, Double(events.count) / elapsed)
    }
    return (best, stats)
}

func matchingOnly(_ ruleSet: RuleSet, _ events: [Event]) -> Double {
    var hits = 0
    let elapsed = seconds {
        for event in events where ruleSet.match(event).ruleIndex != nil { hits += 1 }
    }
    precondition(hits == events.count)
    return Double(events.count) / elapsed
}

let options = Options(CommandLine.arguments)
let start = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!
let rules1000 = compile(ruleText(count: 1000))
let rules10 = compile(ruleText(count: 10))
let events = stream(events: options.events, fingerprints: options.fingerprints, alertNames: 1000, start: start)

let (rate1000, stats) = throughput(rules1000, events)
let (rate10, _) = throughput(rules10, events)
let match1000 = matchingOnly(rules1000, events)
let match10 = matchingOnly(rules10, events)

// Memory: resident bytes per active (firing) alert, with incidents, timers and indexes included.
let memoryEvents = stream(events: options.activeAlerts, fingerprints: options.activeAlerts, alertNames: 1000, start: start)
    .map { e -> Event in
        var firing = e
        firing.status = .firing
        firing.endsAt = nil
        return firing
    }
let before = allocatedBytes()
var engine = CorrelationEngine(ruleSet: rules1000)
for event in memoryEvents { _ = engine.ingest(event) }
let after = allocatedBytes()
let size = engine.workingSetSize
let perAlert = Double(after - before) / Double(size.alerts)

print("engine benchmark: \(options.events) events over \(options.fingerprints) fingerprints, one thread, release build")
print("")
print("| measure | value |")
print("|---|---|")
print("| full engine, 1,000 rules | \(Int(rate1000)) events/s |")
print("| full engine, 10 rules (baseline) | \(Int(rate10)) events/s |")
print("| ratio 1,000 rules / 10 rules | \(String(format: "%.2f", rate1000 / rate10)) |")
print("| rule matching only, 1,000 rules | \(Int(match1000)) events/s |")
print("| rule matching only, 10 rules | \(Int(match10)) events/s |")
print("| incidents opened (1,000 rules) | \(stats.incidentsOpened) |")
print("| events absorbed / stale | \(stats.absorbed) / \(stats.stale) |")
print("| active alerts for the memory run | \(size.alerts) in \(size.incidents) incidents |")
print("| resident memory per active alert | \(Int(perAlert)) bytes |")
