import Foundation
import GRDB
import IncidentCore
import IncidentPostgres
import IncidentStore
import Logging
import TestSupport
import Testing

/// A unique directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("incidentd-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// A fresh store in a fresh directory; the file is `incidentd.sqlite` inside a `state` subdirectory that the
/// store must create itself.
func withStore<T>(_ body: (SQLiteStore, String) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let path = directory + "/state/incidentd.sqlite"
        let store = try SQLiteStore(path: path)
        return try await body(store, path)
    }
}

/// The two implementations of the store port. The shared suites run every case against both: the SQLite file
/// in a fresh directory, and a fresh database in the tests' private PostgreSQL cluster (`PostgresCluster`).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// What a shared test may do besides calling the store: read rows with SQL both databases understand, each
/// row's columns joined by `|`, as text.
struct StoreProbe: Sendable {
    let backend: Backend
    /// The SQLite file's path, or the PostgreSQL URL (without a password).
    let address: String
    let cluster: PostgresCluster?
    let database: String?

    func lines(_ sql: String) async throws -> [String] {
        switch backend {
        case .sqlite:
            return try await DatabaseQueue(path: address).read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { value in
                        switch value.storage {
                        case .null: ""
                        case .int64(let n): String(n)
                        case .double(let d): String(d)
                        case .string(let s): s
                        case .blob(let b): "\\x" + b.map { String(format: "%02x", $0) }.joined()
                        }
                    }.joined(separator: "|")
                }
            }
        case .postgres:
            guard let cluster, let database else { return [] }
            let output = try await cluster.psql(sql, database: database)
            return output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
    }
}

extension StoreProbe {
    /// Runs a statement that changes the store behind its back, as damage or another program would.
    func change(_ sql: String) async throws {
        switch backend {
        case .sqlite: try await DatabaseQueue(path: address).write { db in try db.execute(sql: sql) }
        case .postgres:
            guard let cluster, let database else { return }
            _ = try await cluster.psql(sql, database: database)
        }
    }
}

/// A fresh store of `backend`, and a probe into it.
func withStore<T>(_ backend: Backend, _ body: (any DaemonStore, StoreProbe) async throws -> T) async throws -> T {
    switch backend {
    case .sqlite:
        return try await withStore { store, path in
            try await body(store, StoreProbe(backend: .sqlite, address: path, cluster: nil, database: nil))
        }
    case .postgres:
        let cluster = try await PostgresCluster.start()
        let database = try await cluster.makeDatabase()
        guard case .success(let url) = PostgresURL.parse(cluster.url(database)) else {
            throw PostgresClusterError(description: "the cluster's URL does not parse")
        }
        let store = try await PostgresStore(url: url, logger: Logger(label: "test"))
        defer { store.close() }
        return try await body(
            store, StoreProbe(backend: .postgres, address: url.display, cluster: cluster, database: database))
    }
}

func t(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: 1_800_000_000_000_000 + seconds * 1_000_000) }

func sampleEvent(_ name: String = "disk_full", host: String = "db1", at seconds: Int64 = 0) -> Event {
    Event(labels: ["alertname": name, "host": host], receivedAt: t(seconds))
}

/// An event with every optional field set, and unusual text in its labels.
func fullEvent() -> Event {
    Event(
        labels: ["alertname": "LatencyHigh", "service": "api/\"v2\"", "zone": "ünïcode ✓"],
        annotations: ["summary": "p99 > 2s\nsee runbook", "runbook": "https://example.org/r?a=1&b=2"],
        status: .resolved, startsAt: t(-120), endsAt: t(-5), source: .journal, receivedAt: t(1),
        generatorURL: "http://prometheus:9090/graph?g0.expr=up", acknowledges: true)
}

/// An incident with every optional field set.
func fullIncident(_ number: Int = 7) -> Incident {
    Incident(
        number: number, title: "Disk full on db1", kind: .outage, state: .acknowledged, impact: .high,
        urgency: .medium, priority: .p2, rule: "disk", groupKey: "host=db1", labels: ["host": "db1", "team": "dba"],
        alerts: 2, events: 5, flapping: true,
        escalation: Incident.Escalation(policy: "dba-oncall", step: 1, round: 2, nextAt: t(600)), openedAt: t(0),
        acknowledgedAt: t(90), acknowledgedBy: "alice", resolvedAt: t(300), closedAt: t(400))
}

/// An incident with no optional field set.
func bareIncident(_ number: Int = 8, openedAt: Timestamp = t(10)) -> Incident {
    Incident(
        number: number, title: "", kind: .userIssue, state: .open, impact: .low, urgency: .low, priority: .p5,
        rule: "", groupKey: "", labels: [:], alerts: 0, events: 0, flapping: false, escalation: nil,
        openedAt: openedAt)
}

func sampleAlert(incident: Int?, host: String = "db1", events: Int = 1) -> AlertSnapshot {
    let labels: Labels = ["alertname": "disk_full", "host": host]
    return AlertSnapshot(
        fingerprint: labels.fingerprint, incident: incident, labels: labels, annotations: ["summary": "92% used"],
        status: .firing, firstSeen: t(0), lastSeen: t(Int64(events)), events: events, suppressed: false)
}

func page(_ incident: Int, notifier: String = "pager", step: Int = 0, round: Int = 0, due: Timestamp = t(0))
    -> IncidentCore.Notification
{
    Notification(incident: incident, notifier: notifier, policy: "default", step: step, round: round, due: due)
}
