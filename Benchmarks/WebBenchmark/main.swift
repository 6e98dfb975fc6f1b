// The web console's incident list rendered on the server from a real SQLite store (issue: web console): the
// store's page query with its total, then the HTML, for a store of 10,000 incidents against a baseline store
// of 100 in the same run. Pagination should keep the 10,000 case close to the baseline.
//
//   Benchmarks/run-web [--incidents N] [--runs R]
import Foundation
import IncidentCore
import IncidentStore
import IncidentWeb

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count,
        let number = Int(arguments[index + 1])
    else { return value }
    return number
}

let large = argument("--incidents", default: 10_000)
let runs = argument("--runs", default: 200)
let start = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
let kinds = IncidentKind.allCases
let priorities = Priority.allCases
let states: [IncidentState] = [.open, .acknowledged, .resolved, .closed]

/// A store with `count` incidents of varied kind, priority, state and labels, committed in batches of 1,000.
func makeStore(_ count: Int, in directory: String) async throws -> SQLiteStore {
    let store = try SQLiteStore(path: directory + "/bench-\(count).sqlite", synchronous: .normal)
    var batch: [Incident] = []
    for number in 1...count {
        let labels: Labels = [
            "alertname": "Alert\(number % 97)", "host": "web\(number % 500)", "service": "svc\(number % 40)",
            "severity": number % 3 == 0 ? "critical" : "warning",
        ]
        let opened = start + .seconds(Int64(number) * 60)
        let state = states[number % states.count]
        batch.append(
            Incident(
                number: number, title: "Alert\(number % 97) on web\(number % 500)", kind: kinds[number % kinds.count],
                state: state, impact: .medium, urgency: .high, priority: priorities[number % priorities.count],
                rule: "rule-\(number % 30)", groupKey: "g\(number)", labels: labels, alerts: 1 + number % 5,
                events: 1 + number % 17, flapping: false, escalation: nil, openedAt: opened,
                acknowledgedAt: state == .open ? nil : opened + .seconds(120),
                acknowledgedBy: state == .open ? nil : "alice",
                resolvedAt: state.isActive ? nil : opened + .seconds(900)))
        if batch.count == 1000 || number == count {
            _ = try await store.commit(StoreBatch(incidents: batch, at: opened))
            batch.removeAll(keepingCapacity: true)
        }
    }
    return store
}

struct Figures {
    var query: [Double] = []
    var render: [Double] = []
    var bytes = 0

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func p99(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    }
}

/// Query and render `search` `runs` times; milliseconds per run.
func measure(_ store: SQLiteStore, _ pages: WebPages, _ search: IncidentSearch) async throws -> Figures {
    let chrome = PageChrome(
        title: "Incidents", section: .incidents, person: .init(name: "alice", role: "operator", canSignOut: true),
        csrf: "token", live: true)
    let clock = ContinuousClock()
    var figures = Figures()
    for _ in 0..<runs {
        let queried = clock.now
        let page = try await store.searchIncidents(search)
        let rendered = clock.now
        let html = pages.incidents(chrome, page: page, search: search, now: start + .seconds(86_400 * 30))
        let done = clock.now
        figures.query.append(
            Double((rendered - queried).components.attoseconds) / 1e15 + Double((rendered - queried).components.seconds)
                * 1e3)
        figures.render.append(
            Double((done - rendered).components.attoseconds) / 1e15 + Double((done - rendered).components.seconds) * 1e3
        )
        figures.bytes = html.utf8.count
    }
    return figures
}

let directory = NSTemporaryDirectory() + "web-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let pages = try WebPages()
let baseline = try await makeStore(100, in: directory)
let big = try await makeStore(large, in: directory)
let all = Set(IncidentState.allCases)
let cases: [(String, IncidentSearch)] = [
    ("first page, all states", IncidentSearch(states: all, limit: 50)),
    ("active incidents", IncidentSearch(limit: 50)),
    ("last page, all states", IncidentSearch(states: all, offset: max(0, large - 50), limit: 50)),
    ("text search 'web42'", IncidentSearch(states: all, text: "web42", limit: 50)),
]
print("| case | store | query ms (median / p99) | render ms (median / p99) | HTML bytes |")
print("|---|---|---|---|---|")
for (name, search) in cases {
    var baselineSearch = search
    baselineSearch.offset = min(search.offset, 50)
    for (label, store, query) in [("100", baseline, baselineSearch), ("\(large)", big, search)] {
        let f = try await measure(store, pages, query)
        print(
            "| \(name) | \(label) | \(String(format: "%.2f / %.2f", Figures.median(f.query), Figures.p99(f.query))) | "
                + "\(String(format: "%.2f / %.2f", Figures.median(f.render), Figures.p99(f.render))) | \(f.bytes) |")
    }
}
