import IncidentCore
import IncidentRules

extension CorrelationEngine {
    /// The incident as the API shows it; nil when it is not in the working set (closed or unknown).
    public func snapshot(_ number: Int) -> Incident? {
        guard let slot = incidents.slot(for: number) else { return nil }
        return Self.snapshot(of: incidents[slot: slot])
    }

    /// Built from the record in place (parameters are borrowed), so no whole record is copied per event.
    static func snapshot(of r: IncidentRecord) -> Incident {
        let escalation = r.escalation.map {
            Incident.Escalation(
                policy: $0.policy, step: $0.due == nil && !$0.paused ? nil : $0.step, round: $0.round, nextAt: $0.due)
        }
        return Incident(
            number: r.number, title: r.title, kind: r.kind, state: r.state, impact: r.impact, urgency: r.urgency,
            priority: r.priority, rule: r.rule, groupKey: r.groupKey, labels: r.labels, alerts: r.alerts.count,
            events: r.events, flapping: r.flapping, escalation: escalation, openedAt: r.openedAt,
            acknowledgedAt: r.acknowledgedAt, acknowledgedBy: r.acknowledgedBy, resolvedAt: r.resolvedAt,
            silenced: r.silenced == true)
    }

    func alertSnapshot(_ fingerprint: Fingerprint, _ a: AlertRecord) -> AlertSnapshot {
        AlertSnapshot(
            fingerprint: a.fingerprint, incident: a.incident, labels: a.labels, annotations: a.annotations,
            status: a.status,
            firstSeen: a.firstSeen, lastSeen: a.lastSeen, events: a.events, suppressed: a.suppressed)
    }

    /// Every incident in the working set (not closed), in order of opening.
    public var activeIncidents: [Incident] {
        incidents.allKeys.sorted().compactMap { snapshot($0) }
    }

    /// The alerts of an incident in the working set, in order of arrival.
    public func alerts(of number: Int) -> [AlertSnapshot] {
        incidents[number]?.alerts.compactMap { fp in alerts[fp].map { alertSnapshot(fp, $0) } } ?? []
    }

    /// How many alerts and pending events the engine holds (for metrics and memory accounting).
    public var workingSetSize: (incidents: Int, alerts: Int, pendingEvents: Int, timers: Int) {
        (incidents.count, alerts.count, pending.values.reduce(0) { $0 + $1.entries.count }, timers.count)
    }
}
