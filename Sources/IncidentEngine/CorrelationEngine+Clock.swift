import IncidentCore
import IncidentRules

extension CorrelationEngine {
    /// Moves the clock to `now` and performs everything due by then: escalation steps, ack timeouts, quiet
    /// alerts resolving, threshold windows running out, resolved incidents closing.
    public mutating func advance(to now: Timestamp) -> [Effect] {
        var out = EffectBuffer()
        advance(to: now, into: &out)
        return out.finish(self)
    }

    /// When the next timer is due, if any: a driver may sleep until then.
    public var nextDue: Timestamp? { timers.nextDue }

    mutating func advance(to now: Timestamp, into out: inout EffectBuffer) {
        if now > self.now { self.now = now }
        if let first = earlyResolveQueue.first, first.0 < now - clamp - clamp {
            let horizon = now - clamp - clamp
            let cut = earlyResolveQueue.firstIndex { $0.0 >= horizon } ?? earlyResolveQueue.count
            for (time, fingerprint) in earlyResolveQueue[..<cut] where earlyResolves[fingerprint]?.time == time {
                earlyResolves[fingerprint] = nil
            }
            earlyResolveQueue.removeFirst(cut)
        }
        while let entry = timers.popDue(now) {
            switch entry.key {
            case .escalation(let number):
                guard let due = incidents[number]?.escalation?.due, due == entry.due else { continue }
                fireDueSteps(number, now: now, into: &out)
            case .ackTimeout(let number):
                guard let due = incidents[number]?.ackDue, due == entry.due else { continue }
                ackTimedOut(number, at: due, into: &out)
            case .alertResolve(let fingerprint):
                guard let alert = alerts[fingerprint], alert.status == .firing, let due = alert.resolveDue,
                    due + clamp == entry.due
                else { continue }
                let reason: String
                if let after = rule(named: incidents[alert.incident]?.rule ?? "").resolveAfter(for: alert.source),
                    alert.lastSeen + after == due
                {
                    reason = "no firing event for \(DurationText.format(after)) (resolve_after)"
                } else {
                    reason = "its endsAt passed without a refresh"
                }
                resolveAlert(fingerprint, at: due, reason: reason, into: &out)
            case .close(let number):
                guard let incident = incidents[number], incident.state == .resolved, let due = incident.closeDue,
                    due + clamp == entry.due
                else { continue }
                close(number, at: due, by: nil, into: &out)
            case .flapping(let number):
                guard let incident = incidents[number], let due = incident.flapDue, due + clamp == entry.due else {
                    continue
                }
                incidents[number]!.flapDue = nil
                guard incident.firing == 0, incident.state.isActive else { continue }
                if let flapping = rule(named: incident.rule).flapping, let last = incident.reopens.last,
                    due - last < flapping.within
                {
                    holdForFlapping(number, at: due, into: &out)
                    continue
                }
                incidents[number]!.flapping = false
                out.timeline(number, due, "flapping", "quiet since \(incident.reopens.last ?? due): no longer flapping")
                resolve(
                    number, at: due, by: nil, reason: "all alerts resolved and the flapping calmed down", into: &out)
            case .silence(let id):
                silenceTimer(id, due: entry.due, into: &out)
            case .maintenance(let name):
                maintenanceTimer(name, due: entry.due, into: &out)
            case .muting:
                guard entry.due == mutingDue else { continue }
                // A fresh engine's first advance: its clock starts here.
                let at = entry.due == .distantPast ? now : entry.due
                refreshMuting(at: at, because: "the silences and maintenance windows were re-read", into: &out)
                armMaintenanceTimers(after: at)
            case .pending(let key):
                guard var group = pending[key], let due = group.due, due + clamp == entry.due,
                    let threshold = rule(named: group.rule).threshold
                else { continue }
                // Inclusive: an entry whose window and grace have fully passed by `now` is out. (An exclusive
                // cut would leave the oldest entry in and re-arm this timer at `now` forever.)
                expire(&group, before: now - clamp - threshold.within + .microseconds(1))
                if group.entries.isEmpty {
                    pending[key] = nil
                } else {
                    let next = group.oldest! + threshold.within
                    group.due = next
                    pending[key] = group
                    timers.push(next + clamp, .pending(key))
                }
            }
        }
    }
}

/// Collects effects while the engine works, then adds one snapshot per touched incident and alert.
struct EffectBuffer {
    var effects: [Effect] = []
    var touchedIncidents: [Int] = []
    /// The incidents touched since the last `startGroup()`, for drivers that need them per submission.
    var groupTouched: [Int] = []
    var touchedAlerts: [Fingerprint] = []
    /// Alerts and incidents whose only change was activity (`touchActivity`); those also touched in full are
    /// reported in full.
    var activeAlerts: [Fingerprint] = []
    var activeIncidents: [Int] = []
    var closedSnapshots: [Incident] = []
    var closedAlerts: [AlertSnapshot] = []

    mutating func timeline(_ number: Int, _ at: Timestamp, _ type: String, _ detail: String) {
        effects.append(.timeline(incident: number, TimelineEntry(at: at, type: type, detail: detail)))
    }

    mutating func lifecycle(_ number: Int, _ moment: LifecycleMoment, _ at: Timestamp) {
        effects.append(.lifecycle(incident: number, moment, at: at))
    }

    mutating func touch(incident number: Int) {
        if touchedIncidents.last != number { touchedIncidents.append(number) }
        if groupTouched.last != number { groupTouched.append(number) }
    }

    mutating func touch(alert fingerprint: Fingerprint, incident number: Int) {
        if touchedAlerts.last != fingerprint { touchedAlerts.append(fingerprint) }
        touch(incident: number)
    }

    /// An alert seen again with nothing about it changed but its activity: its last-seen time, event count and
    /// annotations, and its incident's event count. Reported as `.alertActivity` and `.incidentActivity` unless also
    /// touched in full.
    mutating func touchActivity(alert fingerprint: Fingerprint, incident number: Int) {
        if activeAlerts.last != fingerprint { activeAlerts.append(fingerprint) }
        if activeIncidents.last != number { activeIncidents.append(number) }
        if groupTouched.last != number { groupTouched.append(number) }
    }

    mutating func untouch(incident number: Int, alerts: [Fingerprint]) {
        touchedIncidents.removeAll { $0 == number }
        activeIncidents.removeAll { $0 == number }
        let gone = Set(alerts)
        touchedAlerts.removeAll { gone.contains($0) }
        activeAlerts.removeAll { gone.contains($0) }
    }

    /// The effects in order, then the final snapshot of each touched alert and incident (closed ones last).
    func finish(_ engine: CorrelationEngine) -> [Effect] {
        var result: [Effect] = []
        // Alerts seen again (the journal's usual case) are most of a large batch's effects: without them in the
        // reservation the array grew through a series of buffers, each faulted in and copied (issue 16).
        result.reserveCapacity(
            effects.count + touchedAlerts.count + touchedIncidents.count + activeAlerts.count + activeIncidents.count
                + closedSnapshots.count * 2)
        result.append(contentsOf: effects)
        var seenAlerts = Set<Fingerprint>()
        for fingerprint in touchedAlerts where touchedAlerts.count == 1 || seenAlerts.insert(fingerprint).inserted {
            if let slot = engine.alerts.slot(for: fingerprint) {
                result.append(.alert(engine.alertSnapshot(fingerprint, engine.alerts[slot: slot])))
            }
        }
        var seen = Set<Int>()
        for number in touchedIncidents where touchedIncidents.count == 1 || seen.insert(number).inserted {
            if let snapshot = engine.snapshot(number) { result.append(.incident(snapshot)) }
        }
        if !activeAlerts.isEmpty || !activeIncidents.isEmpty {
            if touchedAlerts.count == 1 { seenAlerts.insert(touchedAlerts[0]) }
            for fingerprint in activeAlerts where seenAlerts.insert(fingerprint).inserted {
                if let slot = engine.alerts.slot(for: fingerprint) {
                    result.append(.alertActivity(engine.alertSnapshot(fingerprint, engine.alerts[slot: slot])))
                }
            }
            if touchedIncidents.count == 1 { seen.insert(touchedIncidents[0]) }
            for number in activeIncidents where seen.insert(number).inserted {
                if let snapshot = engine.snapshot(number) { result.append(.incidentActivity(snapshot)) }
            }
        }
        // Closed incidents report their final state before the `.closed` marker already in `effects`.
        if !closedSnapshots.isEmpty {
            var withClosed: [Effect] = []
            for effect in result {
                if case .closed(let number) = effect {
                    for alert in closedAlerts where alert.incident == number { withClosed.append(.alert(alert)) }
                    if let snapshot = closedSnapshots.last(where: { $0.number == number }) {
                        withClosed.append(.incident(snapshot))
                    }
                }
                withClosed.append(effect)
            }
            result = withClosed
        }
        return result
    }
}
