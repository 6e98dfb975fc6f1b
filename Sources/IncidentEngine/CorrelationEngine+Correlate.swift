import IncidentCore
import IncidentRules

/// Correlation across rules (SPEC §13): alerts of the rules of one `correlate:` group whose `on` labels are equal
/// join the incident the first of them opened (its root cause) while they arrive within the group's `within` of
/// its last alert. Found through one index (`correlated`: group key → incident), never by a scan of incidents.
extension CorrelationEngine {
    /// The incident a new alert of `c`'s rule joins through one of its correlation groups (the first in file
    /// order that holds an active incident for its key within the window), if any.
    func correlatedIncident(for c: Classification, at time: Timestamp) -> (number: Int, group: Correlation)? {
        guard !ruleSet.correlations.isEmpty, let groups = ruleSet.correlationOfRule[c.rule.name] else { return nil }
        for g in groups {
            let group = ruleSet.correlations[g]
            guard let key = group.key(c.labels), let number = correlated[key], let incident = incidents[number],
                incident.state.isActive, time <= incident.lastActivity + group.within,
                time + group.within >= incident.openedAt
            else { continue }
            return (number, group)
        }
        return nil
    }

    /// Registers an incident under the keys of every correlation group of `c`'s rule (at its opening, and as a
    /// related alert joins: the unit's OOM line that joined the kernel's OOM incident makes it the unit's too).
    /// A key already held by another active incident keeps it.
    mutating func registerCorrelation(_ number: Int, _ c: Classification) {
        // A rate-limited rule's gathering incident stands for many entities, not the first one's.
        guard !ruleSet.correlations.isEmpty, !c.groupKey.hasSuffix("/rate-limited"),
            let groups = ruleSet.correlationOfRule[c.rule.name]
        else { return }
        for g in groups {
            guard let key = ruleSet.correlations[g].key(c.labels), correlated[key] != number else { continue }
            if let other = correlated[key], other != number, incidents[other]?.state.isActive == true { continue }
            correlated[key] = number
            incidents[number]!.joinedKeys = (incidents[number]!.joinedKeys ?? []) + ["c:" + key]
        }
    }

    /// Joins a related alert to the incident of its correlation group: the incident keeps its root cause (its
    /// first alert), takes the higher kind and priority, and later alerts of the related rule's own group find it
    /// directly.
    mutating func joinCorrelated(
        _ c: Classification, event: Event, time: Timestamp, number: Int, group: Correlation, counted: Bool,
        into out: inout EffectBuffer
    ) {
        if counted { stats.absorbed += 1 }
        let root = incidents[number]!.alerts.first.flatMap { alerts[$0] }
        attach(c, event: event, time: time, to: number, suppressed: false, into: &out)
        registerCorrelation(number, c)
        if groups[c.groupKey] != number {
            groups[c.groupKey] = number
            incidents[number]!.joinedKeys = (incidents[number]!.joinedKeys ?? []) + ["g:" + c.groupKey]
        }
        let on = group.on.map { "\($0)=\(c.labels[$0] ?? "")" }.joined(separator: ", ")
        let rootText =
            root.map { " related to the root cause, alert \($0.fingerprint) of rule '\(incidents[number]!.rule)'" }
            ?? ""
        out.timeline(
            number, time, "correlated",
            "alert \(c.fingerprint) \(c.labels) of rule '\(c.rule.name)' joined by correlation group '\(group.name)' (\(on), within \(DurationText.format(group.within))):\(rootText)"
        )
        raiseClassification(number, to: c, at: time, into: &out)
        releasePending(c, into: number, at: time, into: &out)
    }

    /// Events of the related rule's own group that a threshold was still holding belong to the problem too:
    /// they join with it instead of running out below the threshold.
    mutating func releasePending(
        _ c: Classification, into number: Int, at time: Timestamp, into out: inout EffectBuffer
    ) {
        guard let group = pending.removeValue(forKey: c.groupKey) else { return }
        stats.pending -= group.entries.count
        absorbHeld(group.entries.sorted { $0.time < $1.time }, c, into: number, into: &out)
        out.timeline(
            number, time, "correlated",
            "\(group.entries.count) events of rule '\(c.rule.name)' held by its threshold joined with it")
    }

    /// Kind order for a correlated incident: the most serious of its alerts' kinds.
    static func kindRank(_ kind: IncidentKind) -> Int {
        switch kind {
        case .outage: 3
        case .security: 2
        case .degradation: 1
        case .userIssue: 0
        }
    }

    /// A related alert of a more serious kind or a higher priority raises the incident's (never lowers it).
    mutating func raiseClassification(
        _ number: Int, to c: Classification, at time: Timestamp, into out: inout EffectBuffer
    ) {
        guard var incident = incidents[number] else { return }
        if Self.kindRank(c.kind) > Self.kindRank(incident.kind) {
            out.timeline(
                number, time, "classified",
                "kind \(incident.kind.rawValue) → \(c.kind.rawValue): related alert \(c.fingerprint) of rule '\(c.rule.name)'"
            )
            incident.kind = c.kind
        }
        let old = incident.priority
        if c.priority > old {
            incident.priority = c.priority
            incident.impact = max(incident.impact, c.impact)
            incident.urgency = max(incident.urgency, c.urgency)
            incidents[number] = incident
            out.timeline(
                number, time, "prioritised",
                "priority \(old.rawValue) → \(c.priority.rawValue): related alert \(c.fingerprint) of rule '\(c.rule.name)'"
            )
            priorityRaised(number, at: time, into: &out)
        } else {
            incidents[number] = incident
        }
        out.touch(incident: number)
    }

    /// Forgets the index entries an incident leaving the working set held.
    mutating func unregisterJoinedKeys(_ number: Int, _ keys: [String]?) {
        for key in keys ?? [] {
            if key.hasPrefix("c:") {
                let k = String(key.dropFirst(2))
                if correlated[k] == number { correlated[k] = nil }
            } else if key.hasPrefix("g:") {
                let k = String(key.dropFirst(2))
                if groups[k] == number { groups[k] = nil }
            }
        }
    }
}
