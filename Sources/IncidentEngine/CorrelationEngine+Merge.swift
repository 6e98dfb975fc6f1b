import IncidentCore
import IncidentRules

/// Operators correct the engine (SPEC §13): `merge` joins an incident the engine kept apart into another, `split`
/// takes an alert the engine joined wrongly out into an incident of its own. Both go through the pipeline like
/// `perform`, so the engine state (and its checkpoint) carries them across restarts and replays.
extension CorrelationEngine {
    /// Moves every alert of `source` into `target` and closes `source`; later events of its alerts and of its
    /// groups land in `target`.
    public mutating func merge(_ source: Int, into target: Int, by person: String, at time: Timestamp)
        throws(EngineError) -> [Effect]
    {
        guard source != target else {
            throw EngineError(
                code: .invalidInput,
                message: "\(Incident.id(source)) cannot be merged into itself; name another incident")
        }
        for number in [source, target] where incidents[number] == nil {
            throw EngineError(
                code: .notFound, message: "\(Incident.id(number)) is not an open, acknowledged or resolved incident")
        }
        var out = EffectBuffer()
        let moving = incidents[source]!
        let wasResolved = incidents[target]!.state == .resolved
        // The moved alerts' sources now order by the target's number.
        forgetInhibitChoices()
        for fingerprint in moving.alerts where alerts[fingerprint] != nil {
            alerts[fingerprint]!.incident = target
            out.effects.append(.alertLeft(incident: source, fingerprint: alerts[fingerprint]!.fingerprint))
            out.touch(alert: fingerprint, incident: target)
        }
        var incident = incidents[target]!
        for fingerprint in moving.alerts {
            guard let alert = alerts[fingerprint] else { continue }
            incident.labels =
                incident.alerts.isEmpty && !incident.manual ? alert.labels : incident.labels.intersection(alert.labels)
            incident.alerts.append(fingerprint)
        }
        incident.firing += moving.firing
        incident.firingSuppressed += moving.firingSuppressed
        incident.events += moving.events
        incident.lastActivity = max(incident.lastActivity, moving.lastActivity)
        incident.distinct = Array(Set(incident.distinct).union(moving.distinct)).sorted()
        // The merged incident's index entries now lead here: its own group, the groups of alerts that joined it
        // and its correlation keys.
        var joined = incident.joinedKeys ?? []
        if groups[moving.groupKey] == source {
            groups[moving.groupKey] = target
            if moving.groupKey != incident.groupKey { joined.append("g:" + moving.groupKey) }
        }
        for key in moving.joinedKeys ?? [] {
            let k = String(key.dropFirst(2))
            if key.hasPrefix("c:"), correlated[k] == source {
                correlated[k] = target
                joined.append(key)
            } else if key.hasPrefix("g:"), groups[k] == source {
                groups[k] = target
                if k != incident.groupKey { joined.append(key) }
            }
        }
        incident.joinedKeys = joined.isEmpty ? nil : joined
        incidents[target] = incident
        out.timeline(
            target, time, "merged",
            "\(Incident.id(source)) merged in by \(person): its \(moving.alerts.count) alerts join")
        raiseClassification(target, merging: moving, at: time, into: &out)

        // The source leaves the working set as a close does, but its alerts now belong to the target.
        incidents[source]!.alerts = []
        incidents[source]!.firing = 0
        incidents[source]!.firingSuppressed = 0
        incidents[source]!.joinedKeys = nil
        out.timeline(source, time, "merged", "merged into \(Incident.id(target)) by \(person)")
        close(source, at: time, by: person, reason: "merged into \(Incident.id(target)) by \(person)", into: &out)

        if wasResolved, moving.firing > 0 {
            reopen(
                target, at: time, reason: "\(Incident.id(source)) merged in by \(person) with firing alerts",
                into: &out)
        } else if moving.firing > 0 {
            updateSilenced(target, at: time, because: "\(Incident.id(source)) merged in", into: &out)
        }
        out.touch(incident: target)
        return out.finish(self)
    }

    /// A merged incident of a more serious kind or a higher priority raises the target's (as a related alert
    /// does, see `raiseClassification`); a priority rise may switch the escalation policy.
    mutating func raiseClassification(
        _ number: Int, merging other: IncidentRecord, at time: Timestamp, into out: inout EffectBuffer
    ) {
        guard var incident = incidents[number] else { return }
        let id = Incident.id(other.number)
        if Self.kindRank(other.kind) > Self.kindRank(incident.kind) {
            out.timeline(
                number, time, "classified", "kind \(incident.kind.rawValue) → \(other.kind.rawValue): \(id) merged in")
            incident.kind = other.kind
        }
        let old = incident.priority
        incident.impact = max(incident.impact, other.impact)
        incident.urgency = max(incident.urgency, other.urgency)
        guard other.priority > old else {
            incidents[number] = incident
            return
        }
        incident.priority = other.priority
        incidents[number] = incident
        out.timeline(
            number, time, "prioritised", "priority \(old.rawValue) → \(other.priority.rawValue): \(id) merged in")
        priorityRaised(number, at: time, into: &out)
    }

    /// Takes the alert with Alertmanager fingerprint `fingerprint` out of incident `number` into a new incident,
    /// classified from its labels as if it had arrived alone; its later events land there.
    public mutating func split(_ number: Int, alert fingerprint: Fingerprint, by person: String, at time: Timestamp)
        throws(EngineError) -> (Int, [Effect])
    {
        guard let incident = incidents[number] else {
            throw EngineError(
                code: .notFound, message: "\(Incident.id(number)) is not an open, acknowledged or resolved incident")
        }
        guard let key = incident.alerts.first(where: { alerts[$0]?.fingerprint == fingerprint }),
            let alert = alerts[key]
        else {
            throw EngineError(
                code: .invalidInput,
                message:
                    "\(Incident.id(number)) has no alert \(fingerprint); `incidentctl show \(Incident.id(number))` lists its alerts' fingerprints"
            )
        }
        guard incident.alerts.count > 1 else {
            throw EngineError(
                code: .invalidTransition,
                message:
                    "alert \(fingerprint) is the only alert of \(Incident.id(number)); there is nothing to split it from"
            )
        }
        let event = Event(
            labels: alert.labels, annotations: alert.annotations, status: .firing, startsAt: time, source: alert.source,
            receivedAt: time)
        let match = ruleSet.match(event)
        guard let ruleIndex = match.ruleIndex, !ruleSet.rules[ruleIndex].drop else {
            throw EngineError(
                code: .invalidInput,
                message:
                    "no rule opens an incident for alert \(fingerprint) \(alert.labels) any more; it stays where it is")
        }
        let c = ruleSet.classify(event, match: match, ruleIndex: ruleIndex)
        var out = EffectBuffer()

        // Out of the old incident.
        detach(key, from: number, into: &out)
        out.effects.append(.alertLeft(incident: number, fingerprint: fingerprint))
        var old = incidents[number]!
        if alert.status == .firing {
            old.firing -= 1
            if alert.suppressed { old.firingSuppressed -= 1 }
        }
        old.events -= alert.events
        if !old.manual {
            let remaining = old.alerts.compactMap { alerts[$0]?.labels }
            old.labels = remaining.dropFirst().reduce(remaining.first ?? Labels()) { $0.intersection($1) }
        }
        incidents[number] = old

        // Into a new incident of its own: not through `groups` or `correlated` (they lead back to the old one),
        // and not held by a rate limit (a person asked for it).
        let groupOwner = groups[c.groupKey]
        // Every correlation key of the alert's rule's groups, and the incident each pointed to before.
        let correlationOwners: [(key: String, owner: Int?)] = (ruleSet.correlationOfRule[c.rule.name] ?? [])
            .compactMap { ruleSet.correlations[$0].key(c.labels) }
            .map { ($0, correlated[$0]) }
        let new = openIncident(
            c, event: event, time: time, reason: "split off \(Incident.id(number)) by \(person)", into: &out)
        // The old incident keeps collecting its own group and its correlation: the operator moved one alert, not
        // the entity. A group the alert brought along (it joined through correlation) moves with it.
        if let owner = groupOwner, owner != number || c.groupKey == old.groupKey, incidents[owner] != nil {
            groups[c.groupKey] = owner
        } else if groupOwner == number {
            incidents[number]!.joinedKeys?.removeAll { $0 == "g:" + c.groupKey }
        }
        for (k, owner) in correlationOwners {
            guard let owner, incidents[owner] != nil else { continue }
            correlated[k] = owner
            incidents[new]!.joinedKeys?.removeAll { $0 == "c:" + k }
        }
        attach(c, event: event, time: time, to: new, suppressed: false, into: &out)
        let newKey = Self.alertKey(c.fingerprint, rule: c.rule.name)
        if alerts[newKey] != nil {
            alerts[newKey]!.events = alert.events
            alerts[newKey]!.firstSeen = alert.firstSeen
            alerts[newKey]!.lastSeen = max(alert.lastSeen, alerts[newKey]!.firstSeen)
            incidents[new]!.events = alert.events
        }
        out.timeline(
            number, time, "split", "alert \(fingerprint) split off into \(Incident.id(new)) by \(person)")
        out.timeline(new, time, "split", "split off \(Incident.id(number)) by \(person)")
        if alert.status == .resolved {
            resolveAlert(newKey, at: time, reason: "it had resolved before it was split off", into: &out)
        }
        let left = incidents[number]!
        if left.state.isActive, !left.manual, left.firing == 0 {
            resolve(
                number, at: time, by: nil, reason: "its remaining \(left.alerts.count) alerts are resolved", into: &out)
        } else if left.firing > 0 {
            updateSilenced(number, at: time, because: "alert \(fingerprint) split off", into: &out)
        }
        out.touch(incident: number)
        return (new, out.finish(self))
    }
}
