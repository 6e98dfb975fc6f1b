import Foundation
import IncidentCore
import IncidentStore

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
