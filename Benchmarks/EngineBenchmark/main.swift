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
        // Flags without a value (`--checkpoint`, …) may come anywhere: only these three take the next argument.
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? Int(arguments[i + 1]) ?? 0 : 0
            switch arguments[i] {
            case "--events": events = value
            case "--fingerprints": fingerprints = value
            case "--active-alerts": activeAlerts = value
            default:
                i += 1
                continue
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

/// Runs the stream through a fresh engine, one `ingest` call per event or per batch; returns the median
/// events per second of `runs` runs (this host is a shared VM: single runs vary by ±20%).
func throughput(_ ruleSet: RuleSet, _ events: [Event], batch: Int = 1, runs: Int = 5) -> (Double, EngineStats) {
    var rates: [Double] = []
    var stats = EngineStats()
    for _ in 0..<runs {
        var engine = CorrelationEngine(ruleSet: ruleSet)
        var effects = 0
        let elapsed = seconds {
            var i = 0
            while i < events.count {
                let end = min(i + batch, events.count)
                if i % 1000 < batch { effects &+= engine.advance(to: events[i].receivedAt).count }
                if batch == 1 {
                    effects &+= engine.ingest(events[i]).count
                } else {
                    effects &+= engine.ingest(Array(events[i..<end])).count
                }
                i = end
            }
        }
        precondition(effects > 0)
        stats = engine.stats
        rates.append(Double(events.count) / elapsed)
    }
    return (rates.sorted()[rates.count / 2], stats)
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
// One run of the full engine and nothing else: for instruction counts under callgrind, which are repeatable
// where timings on this shared VM are not.
if CommandLine.arguments.contains("--profile-run") {
    let events = stream(events: options.events, fingerprints: options.fingerprints, alertNames: 1000, start: start)
    let (rate, stats) = throughput(rules1000, events, runs: 1)
    print(Int(rate), stats.absorbed)
    exit(0)
}
if let i = CommandLine.arguments.firstIndex(of: "--memory-child"), let group = Int(CommandLine.arguments[i + 1]) {
    let (perAlert, alerts, incidents) = memoryPerAlert(alerts: options.activeAlerts, alertsPerGroup: group)
    print(perAlert, alerts, incidents)
    exit(0)
}
// The checkpoint's cost at --active-alerts distinct firing alerts, one incident each (or --alerts-per-incident N,
// as the daemon's benchmarks group 100,000 alerts into about 6,500): copying the engine, exporting its state and
// encoding it (what the daemon does off its pipeline), and decoding it back.
if CommandLine.arguments.contains("--checkpoint") {
    let arguments = CommandLine.arguments
    var perIncident = 1
    if let flag = arguments.firstIndex(of: "--alerts-per-incident"), flag + 1 < arguments.count {
        perIncident = max(1, Int(arguments[flag + 1]) ?? 1)
    }
    var engine = CorrelationEngine(ruleSet: rules1000)
    for i in 0..<options.activeAlerts {
        let time = start + .milliseconds(Int64(i))
        // Alert i goes to rule i % 1000; grouped, the service names a group of that rule's alerts.
        let service = perIncident == 1 ? "svc-\(i)" : "svc-\(i % 1000)-\(i / (1000 * perIncident))"
        let labels: Labels = [
            "alertname": "Alert\(i % 1000)", "instance": "host-\(i):9100", "service": service, "severity": "warning",
        ]
        _ = engine.ingest(
            Event(labels: labels, annotations: ["summary": "value is high"], startsAt: time, receivedAt: time))
    }
    var state: EngineState?
    let exportSeconds = seconds { state = engine.exportState() }
    var data = Data()
    let encodeSeconds = seconds { data = try! state!.encoded() }
    var decoded: EngineState?
    let decodeSeconds = seconds { decoded = try! EngineState.decode(data) }
    precondition(decoded != nil)
    print(
        "checkpoint alerts=\(engine.workingSetSize.alerts) incidents=\(engine.workingSetSize.incidents) bytes=\(data.count)"
            + String(
                format: " export_ms=%.1f encode_ms=%.1f decode_ms=%.1f", exportSeconds * 1000, encodeSeconds * 1000,
                decodeSeconds * 1000))
    exit(0)
}
// Correlation across rules (SPEC §13), on against off in the same run: the 1,000 rules with 500 correlate:
// groups pairing rule 2k with rule 2k+1 on [instance] (so every alert's group is consulted and half of the
// alerts that would open an incident join their pair's instead), against the same rules without them.
if CommandLine.arguments.contains("--correlation") {
    var yaml = ruleText(count: 1000) + "correlate:\n"
    for k in 0..<500 {
        yaml += "  - { name: pair-\(k), rules: [rule-\(2 * k), rule-\(2 * k + 1)], on: [instance], within: 15m }\n"
    }
    let correlated = compile(yaml)
    let events = stream(events: options.events, fingerprints: options.fingerprints, alertNames: 1000, start: start)
    let (off, offStats) = throughput(rules1000, events)
    let (on, onStats) = throughput(correlated, events)
    print("| measure | value |")
    print("|---|---|")
    print("| full engine, 1,000 rules, no correlation groups | \(Int(off)) events/s |")
    print("| full engine, 1,000 rules, 500 correlation groups | \(Int(on)) events/s |")
    print("| **ratio with / without** | **\(String(format: "%.2f", on / off))** |")
    print("| incidents opened without / with | \(offStats.incidentsOpened) / \(onStats.incidentsOpened) |")
    exit(0)
}
let rules10 = compile(ruleText(count: 10))
let events = stream(events: options.events, fingerprints: options.fingerprints, alertNames: 1000, start: start)

let (rate1000, stats) = throughput(rules1000, events)
let (rate10, _) = throughput(rules10, events)
let (batched1000, _) = throughput(rules1000, events, batch: 100)
let match1000 = matchingOnly(rules1000, events)
let match10 = matchingOnly(rules10, events)

/// Resident bytes per active (firing) alert with everything the engine keeps for it: alert and incident
/// records, group map, timers. `alertsPerGroup` 1 is the worst case, one incident per alert.
func memoryPerAlert(alerts: Int, alertsPerGroup: Int) -> (Double, Int, Int) {
    var events: [Event] = []
    events.reserveCapacity(alerts)
    for i in 0..<alerts {
        let labels: Labels = [
            "alertname": "Alert\(i % 1000)", "instance": "host-\(i):9100",
            "service": "svc-\(i / (1000 * alertsPerGroup))", "severity": "warning",
        ]
        let time = start + .milliseconds(Int64(i))
        events.append(
            Event(labels: labels, annotations: ["summary": "value is high"], startsAt: time, receivedAt: time))
    }
    let before = allocatedBytes()
    var engine = CorrelationEngine(ruleSet: rules1000)
    for event in events { _ = engine.ingest(event) }
    let after = allocatedBytes()
    let size = engine.workingSetSize
    withExtendedLifetime(engine) {}
    return (Double(after - before) / Double(size.alerts), size.alerts, size.incidents)
}

/// Each memory shape runs in a fresh child process: in this one, memory freed by earlier runs sits in the
/// allocator's free lists and would be reused without growing RSS, undercounting.
func memoryInChild(alertsPerGroup: Int) -> (Double, Int, Int) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--memory-child", String(alertsPerGroup), "--active-alerts", String(options.activeAlerts)]
    let pipe = Pipe()
    child.standardOutput = pipe
    try! child.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    child.waitUntilExit()
    let parts = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    return (parts[0], Int(parts[1]), Int(parts[2]))
}

let (perAlertWorst, alertsWorst, incidentsWorst) = memoryInChild(alertsPerGroup: 1)
let (perAlertGrouped, alertsGrouped, incidentsGrouped) = memoryInChild(alertsPerGroup: 100)

print(
    "engine benchmark: \(options.events) events over \(options.fingerprints) fingerprints, one thread, release build, median of 5"
)
print("")
print("| measure | value |")
print("|---|---|")
print("| full engine, 1,000 rules, one event per call | \(Int(rate1000)) events/s |")
print("| full engine, 10 rules, one event per call (baseline) | \(Int(rate10)) events/s |")
print("| ratio 1,000 rules / 10 rules | \(String(format: "%.2f", rate1000 / rate10)) |")
print("| full engine, 1,000 rules, batches of 100 | \(Int(batched1000)) events/s |")
print("| rule matching only, 1,000 rules | \(Int(match1000)) events/s |")
print("| rule matching only, 10 rules | \(Int(match10)) events/s |")
print(
    "| incidents opened / events absorbed / stale (1,000 rules) | \(stats.incidentsOpened) / \(stats.absorbed) / \(stats.stale) |"
)
print(
    "| memory per active alert, one incident per alert (\(alertsWorst) alerts, \(incidentsWorst) incidents) | \(Int(perAlertWorst)) bytes |"
)
print(
    "| memory per active alert, grouped (\(alertsGrouped) alerts, \(incidentsGrouped) incidents) | \(Int(perAlertGrouped)) bytes |"
)
