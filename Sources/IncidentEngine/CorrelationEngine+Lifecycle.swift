import IncidentCore
import IncidentRules

/// Why a lifecycle command was refused.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound = "not-found"
        case invalidTransition = "invalid-transition"
        case invalidInput = "invalid-input"
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}

extension CorrelationEngine {
    /// Applies what a person did: acknowledge, resolve, reopen or close an incident.
    public mutating func perform(
        _ action: IncidentState.Action, incident number: Int, by person: String, note: String? = nil, at time: Timestamp
    ) throws(EngineError) -> [Effect] {
        guard let incident = incidents[number] else {
            throw EngineError(
                code: .notFound, message: "\(Incident.id(number)) is not an open, acknowledged or resolved incident")
        }
        guard incident.state.applying(action) != nil, action != .ackTimeout else {
            throw EngineError(
                code: .invalidTransition,
                message: "\(Incident.id(number)) is \(incident.state.rawValue); it cannot be \(Self.pastTense(action))")
        }
        var out = EffectBuffer()
        if let note, !note.isEmpty { out.timeline(number, time, "note", "\(person): \(note)") }
        switch action {
        case .acknowledge:
            acknowledge(number, by: person, at: time, into: &out)
        case .resolve:
            // A person's resolve also settles the alerts, so re-sends of the same firing alert do not reopen it.
            for fingerprint in incident.alerts where alerts[fingerprint]?.status == .firing {
                alerts[fingerprint]!.status = .resolved
                alerts[fingerprint]!.statusAt = time
                alerts[fingerprint]!.resolveDue = nil
                unregisterInhibitSource(fingerprint)
                out.touch(alert: fingerprint, incident: number)
            }
            incidents[number]!.firing = 0
            incidents[number]!.firingSuppressed = 0
            resolve(number, at: time, by: person, reason: "resolved by hand", into: &out)
        case .reopen:
            reopen(number, at: time, reason: "reopened by \(person)", into: &out)
        case .close:
            if incident.state.isActive {
                resolve(number, at: time, by: person, reason: "closed by hand before resolving", into: &out)
            }
            close(number, at: time, by: person, into: &out)
        case .ackTimeout:
            break
        }
        return out.finish(self)
    }

    static func pastTense(_ action: IncidentState.Action) -> String {
        switch action {
        case .acknowledge: "acknowledged"
        case .resolve: "resolved"
        case .reopen: "reopened (only a resolved incident can be)"
        case .close: "closed"
        case .ackTimeout: "timed out"
        }
    }

    mutating func acknowledge(_ number: Int, by person: String, at time: Timestamp, into out: inout EffectBuffer) {
        guard var incident = incidents[number], incident.state == .open else { return }
        incident.state = .acknowledged
        incident.acknowledgedAt = time
        incident.acknowledgedBy = person
        if let name = incident.escalation?.policy, let timeout = ruleSet.policies[name]?.ackTimeout {
            incident.ackDue = time + timeout
            timers.push(time + timeout, .ackTimeout(number))
        }
        incidents[number] = incident
        out.timeline(
            number, time, "acknowledged",
            "by \(person)"
                + (incident.ackDue.map { "; escalation resumes at \($0) unless resolved (ack_timeout)" } ?? ""))
        cancelPages(number, at: time, reason: "acknowledged by \(person)", stops: { $0 == .unacknowledged }, into: &out)
        out.lifecycle(number, .ack, time)
        out.touch(incident: number)
    }

    /// A PagerDuty `acknowledge` for an alert acknowledges its incident.
    mutating func acknowledgeFromSource(_ fingerprint: Fingerprint, at time: Timestamp, into out: inout EffectBuffer) {
        guard let number = alerts[fingerprint]?.incident else { return }
        acknowledge(number, by: "pagerduty", at: time, into: &out)
    }

    /// Takes the incident out of the working set. `reason` replaces the default wording (a merge closes the
    /// merged incident with its own).
    mutating func close(
        _ number: Int, at time: Timestamp, by person: String?, reason: String? = nil, into out: inout EffectBuffer
    ) {
        guard let incident = incidents[number] else { return }
        out.timeline(number, time, "closed", reason ?? person.map { "by \($0)" } ?? "no reopen within close_after")
        cancelPages(
            number, at: time,
            reason: reason ?? person.map { "closed by \($0)" } ?? "closed: no reopen within close_after",
            stops: { _ in true }, into: &out)
        out.lifecycle(number, .close, time)
        var snapshot = snapshot(number)!
        snapshot.state = .closed
        snapshot.closedAt = time
        out.closedSnapshots.append(snapshot)
        for fingerprint in incident.alerts {
            if let alert = alerts[fingerprint] { out.closedAlerts.append(alertSnapshot(fingerprint, alert)) }
            unregisterInhibitSource(fingerprint)
            if let key = alerts[fingerprint]?.labels["dedup_key"], dedupIndex[key] == fingerprint {
                dedupIndex[key] = nil
            }
            alerts[fingerprint] = nil
        }
        if groups[incident.groupKey] == number { groups[incident.groupKey] = nil }
        unregisterJoinedKeys(number, incident.joinedKeys)
        incidents[number] = nil
        stats.incidentsClosed += 1
        out.untouch(incident: number, alerts: incident.alerts)
        out.effects.append(.closed(incident: number))
    }

    /// Adds a note to an incident's timeline.
    public mutating func note(incident number: Int, text: String, by person: String, at time: Timestamp)
        throws(EngineError)
        -> [Effect]
    {
        guard incidents[number] != nil else {
            throw EngineError(code: .notFound, message: "\(Incident.id(number)) is not in the engine's working set")
        }
        guard !text.isEmpty else { throw EngineError(code: .invalidInput, message: "the note is empty") }
        var out = EffectBuffer()
        out.timeline(number, time, "note", "\(person): \(text)")
        return out.finish(self)
    }

    /// Logs an incident a person reported (`incidentctl open`); it is prioritised and escalated like any other.
    public mutating func openReported(
        kind: IncidentKind, title: String, impact: Impact = .medium, urgency: Urgency = .medium, labels: Labels = [:],
        by person: String, at time: Timestamp
    ) throws(EngineError) -> (Int, [Effect]) {
        guard !title.isEmpty else {
            throw EngineError(code: .invalidInput, message: "a reported incident needs a title")
        }
        var out = EffectBuffer()
        let number = nextNumber
        nextNumber += 1
        let priority = ruleSet.priorityMatrix.priority(impact: impact, urgency: urgency)
        incidents[number] = IncidentRecord(
            number: number, title: title, kind: kind, state: .open, impact: impact, urgency: urgency,
            priority: priority,
            rule: "reported", groupKey: "reported/\(number)", labels: labels, alerts: [], firing: 0, events: 0,
            flapping: false, openedAt: time, lastActivity: time, acknowledgedAt: nil, acknowledgedBy: nil,
            resolvedAt: nil, distinct: [], reopens: [], escalation: nil, ackDue: nil, closeDue: nil, flapDue: nil,
            manual: true)
        stats.incidentsOpened += 1
        out.timeline(number, time, "opened", "reported by \(person)")
        out.timeline(
            number, time, "prioritised",
            "impact \(impact.rawValue) × urgency \(urgency.rawValue) = \(priority.rawValue)")
        out.lifecycle(number, .open, time)
        startEscalation(number, at: time, firstRound: 0, reason: "opened", into: &out)
        out.touch(incident: number)
        return (number, out.finish(self))
    }
}
