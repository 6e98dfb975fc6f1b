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
/// Writes an executable script through a descriptor opened with O_CLOEXEC. Foundation's `write(toFile:)` opens
/// without it, so a child another test spawned at that moment inherited the write descriptor and kept it for its
/// whole life: exec of the script then failed with ETXTBSY ("Text file busy") for as long as that child ran.
func script(_ body: String, in directory: URL, name: String = "notify.sh") throws -> String {
    let path = directory.appendingPathComponent(name).path
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
    fchmod(fd, 0o755)
    return path
}

func json(_ data: Data) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}
