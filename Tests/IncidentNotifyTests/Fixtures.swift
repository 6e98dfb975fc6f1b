import Foundation
import IncidentCore
import IncidentNotify
import TestSupport

/// A request for INC-7 step 1 round 0, as the delivery service would build it.
func sampleRequest(moment: String? = nil, attempt: Int = 1) -> DeliveryRequest {
    let opened = Timestamp(seconds: 1_700_000_000)
    let incident = Incident(
        number: 7, title: "Host web1 down", kind: .outage, state: .open, impact: .high, urgency: .high,
        priority: .p1, rule: "host-down", groupKey: "host-down/web1",
        labels: Labels(["alertname": "HostDown", "instance": "web1:9100", "job": "node"]), alerts: 1, events: 3,
        flapping: false, escalation: .init(policy: "default", step: 1, round: 0, nextAt: nil), openedAt: opened)
    let event = AlertSnapshot(
        fingerprint: Labels(["alertname": "HostDown"]).fingerprint, incident: 7,
        labels: Labels(["alertname": "HostDown", "instance": "web1:9100"]),
        annotations: Labels(["summary": "web1 is unreachable"]), status: .firing, firstSeen: opened,
        lastSeen: opened + .seconds(60), events: 3, suppressed: false)
    let notification = IncidentCore.Notification(
        incident: 7, notifier: "oncall", policy: "default", step: 1, round: 0, due: opened + .seconds(300),
        moment: moment)
    return DeliveryRequest(notification: notification, attempt: attempt, incident: incident, event: event)
}

/// A fresh directory, removed when the test process exits (see `ScratchDirectory`).
func temporaryDirectory() throws -> URL {
    try ScratchDirectory.make("notify")
}

/// Writes an executable shell script (the notifier runs it by path, not through a shell).
func script(_ body: String, in directory: URL, name: String = "notify.sh") throws -> String {
    let path = directory.appendingPathComponent(name).path
    try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
}

func json(_ data: Data) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}
