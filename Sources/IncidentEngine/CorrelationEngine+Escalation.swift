import IncidentCore
import IncidentRules

extension CorrelationEngine {
    /// Offset of step `step` in round `roundIndex` from the start of a run of the policy. Round r+1 starts
    /// `repeat.every` after the last step of round r.
    static func offset(_ policy: EscalationPolicy, step: Int, roundIndex: Int) -> Duration {
        let last = policy.steps.last?.after ?? .zero
        let every = policy.repeat?.every ?? .zero
        return (last + every) * roundIndex + policy.steps[step].after
    }

    /// Starts (or restarts, as a new run with new round numbers so its pages get new idempotency keys) the
    /// incident's policy at `time`. `exact`: `time` is the engine's own (a timer's), never a late event's, so the
    /// run starts then even when the clock has been advanced past it in one step.
    mutating func startEscalation(
        _ number: Int, at time: Timestamp, firstRound: Int, reason: String, exact: Bool = false,
        into out: inout EffectBuffer
    ) {
        guard let incident = incidents[number] else { return }
        if incident.silenced == true {
            // Silenced: the policy starts when the silence ends (`updateSilenced`), as a new run.
            incidents[number]!.escalationWaits = true
            incidents[number]!.escalation?.due = nil
            incidents[number]!.escalation?.held = []
            return
        }
        let rule = rule(named: incident.rule)
        guard let policy = ruleSet.policy(for: rule, priority: incident.priority), !policy.steps.isEmpty else {
            if incident.escalation == nil {
                out.timeline(
                    number, time, "escalation",
                    "no escalation policy for \(incident.priority.rawValue): nobody is notified")
            }
            incidents[number]!.escalation?.due = nil
            return
        }
        // The policy runs from when the incident was identified: an old startsAt re-sent by Prometheus must not
        // make every step due at once.
        // Events late by less than the clamp keep their own time (so a replay equals the live run); later ones
        // start the policy at arrival.
        let floor = now - clamp
        let start = exact || time >= floor ? time : now
        let due = start + Self.offset(policy, step: 0, roundIndex: 0)
        incidents[number]!.escalation = EscalationRecord(
            policy: policy.name, base: start, floor: min(floor, start), firstRound: firstRound, step: 0,
            round: firstRound,
            due: due)
        timers.push(due, .escalation(number))
        out.timeline(
            number, time, "escalation",
            "policy '\(policy.name)' \(reason == "opened" ? "started" : incident.escalation == nil ? "started (\(reason))" : "restarted (\(reason))")\(rule.escalation == nil ? " for \(incident.priority.rawValue)" : " by rule '\(rule.name)'")"
        )
        fireDueSteps(number, now: start, into: &out)
    }

    /// Fires every step of the incident's policy that is due by `now`.
    mutating func fireDueSteps(_ number: Int, now: Timestamp, into out: inout EffectBuffer) {
        while let incident = incidents[number], var escalation = incident.escalation, let due = escalation.due,
            due <= now
        {
            if incident.silenced == true {
                incidents[number]!.escalation!.due = nil
                incidents[number]!.escalationWaits = true
                return
            }
            guard let policy = ruleSet.policies[escalation.policy], escalation.step < policy.steps.count else {
                incidents[number]!.escalation!.due = nil
                out.timeline(
                    number, due, "escalation", "policy '\(escalation.policy)' is no longer defined: escalation stopped")
                return
            }
            let step = policy.steps[escalation.step]
            let holds: Bool
            switch step.condition {
            case .unacknowledged: holds = incident.state == .open
            case .unresolved: holds = incident.state.isActive
            case .always: holds = incident.state != .closed
            }
            if !holds {
                guard incident.state == .acknowledged, step.condition == .unacknowledged else {
                    // Resolved or closed: the policy stops.
                    escalation.due = nil
                    escalation.held = []
                    incidents[number]!.escalation = escalation
                    return
                }
                // Acknowledged: hold this step until the acknowledgement lapses, and go on with the policy so
                // that `while: unresolved` steps keep their times.
                escalation.held.append(.init(step: escalation.step, round: escalation.round))
                out.timeline(
                    number, due, "escalation",
                    "step \(escalation.step) round \(escalation.round) held: acknowledged by \(incident.acknowledgedBy ?? "someone")"
                )
            } else {
                notify(number, policy: policy, step: escalation.step, round: escalation.round, due: due, into: &out)
            }
            // Move to the next step, or the next round while repeats remain.
            let roundIndex = escalation.round - escalation.firstRound
            if escalation.step + 1 < policy.steps.count {
                escalation.step += 1
            } else if roundIndex < (policy.repeat?.times ?? 0) {
                escalation.step = 0
                escalation.round += 1
            } else {
                escalation.due = nil
                incidents[number]!.escalation = escalation
                out.touch(incident: number)
                return
            }
            let next =
                escalation.base
                + Self.offset(policy, step: escalation.step, roundIndex: escalation.round - escalation.firstRound)
            escalation.due = next
            incidents[number]!.escalation = escalation
            timers.push(next, .escalation(number))
            out.touch(incident: number)
        }
    }

    /// Priority rose: a policy chosen by priority may now be a different one; switch to it at once.
    mutating func priorityRaised(_ number: Int, at time: Timestamp, into out: inout EffectBuffer) {
        guard let incident = incidents[number], incident.state.isActive else { return }
        let rule = rule(named: incident.rule)
        guard rule.escalation == nil, let policy = ruleSet.policy(for: rule, priority: incident.priority),
            policy.name != incident.escalation?.policy
        else { return }
        let nextRound = (incident.escalation?.round ?? -1) + 1
        startEscalation(
            number, at: time, firstRound: nextRound, reason: "priority \(incident.priority.rawValue)", into: &out)
    }

    /// The acknowledgement lapsed (`ack_timeout`): back to open, and the held steps fire now (the latest round
    /// of each step only, so a long acknowledgement cannot release a burst of pages).
    mutating func ackTimedOut(_ number: Int, at time: Timestamp, into out: inout EffectBuffer) {
        guard var incident = incidents[number], incident.state == .acknowledged, incident.ackDue != nil else { return }
        let by = incident.acknowledgedBy ?? "someone"
        incident.state = .open
        incident.ackDue = nil
        var release: [EscalationRecord.HeldStep] = []
        if var escalation = incident.escalation {
            var latest: [Int: Int] = [:]
            for held in escalation.held { latest[held.step] = max(latest[held.step] ?? held.round, held.round) }
            release = latest.sorted { $0.key < $1.key }.map { .init(step: $0.key, round: $0.value) }
            escalation.held = []
            incident.escalation = escalation
        }
        incidents[number] = incident
        out.timeline(number, time, "ack_timeout", "acknowledgement by \(by) lapsed (ack_timeout): escalation resumes")
        if let name = incident.escalation?.policy, let policy = ruleSet.policies[name], incident.silenced != true {
            for held in release where held.step < policy.steps.count {
                notify(
                    number, policy: policy, step: held.step, round: held.round, due: time,
                    note: ", held while acknowledged",
                    into: &out)
            }
        }
        out.touch(incident: number)
        fireDueSteps(number, now: time, into: &out)
    }

    /// Cancels the queued pages of every step that `stops` (by its `while:`) now that the incident changed: an
    /// acknowledgement stops `unacknowledged` steps, a resolve those and `unresolved` ones, a close all. Pages
    /// already retrying would otherwise keep going for all their attempts (SPEC §7: "Acknowledge stops it").
    /// Every policy's steps are named, in policy-name order so that `rules test` and replays see the same
    /// effects.
    func cancelPages(
        _ number: Int, at time: Timestamp, reason: String, stops: (EscalationPolicy.Condition) -> Bool,
        into out: inout EffectBuffer
    ) {
        // An incident that never started a policy has queued no page.
        guard incidents[number]?.escalation != nil else { return }
        var steps: [NotificationCancellation.Step] = []
        for (name, policy) in ruleSet.policies.sorted(by: { $0.key < $1.key }) {
            for (index, step) in policy.steps.enumerated() where stops(step.condition) {
                steps.append(.init(policy: name, step: index))
            }
        }
        guard !steps.isEmpty else { return }
        out.effects.append(.cancel(NotificationCancellation(incident: number, steps: steps, at: time, reason: reason)))
    }

    /// Emits the notifications of one step (one per notifier, key `INCIDENT/step/round`) and its timeline line.
    mutating func notify(
        _ number: Int, policy: EscalationPolicy, step: Int, round: Int, due: Timestamp, note: String = "",
        into out: inout EffectBuffer
    ) {
        // Targets resolve when the step fires: `schedule:NAME` is whoever is on call at `due` (SPEC §12). A notifier
        // reached twice in one step (a person on call and named directly) is paged once.
        var reached: Set<String> = []
        var parts: [String] = []
        for target in policy.steps[step].notify {
            let recipients = ruleSet.recipients(of: target, at: due)
            guard !recipients.isEmpty else {
                parts.append(
                    "\(target) (nobody: \(target.hasPrefix("schedule:") ? "no one is on call" : "no notifiers"))")
                continue
            }
            var names: [String] = []
            for recipient in recipients where reached.insert(recipient.notifier).inserted {
                out.effects.append(
                    .notify(
                        Notification(
                            incident: number, notifier: recipient.notifier, policy: policy.name, step: step,
                            round: round, due: due, user: recipient.user)))
                stats.notifications += 1
                names.append(recipient.notifier)
            }
            if let user = recipients.first?.user, target != recipient(user) {
                parts.append("\(target) → \(user) (\(names.joined(separator: ", ")))")
            } else if let user = recipients.first?.user {
                parts.append("\(user) (\(names.joined(separator: ", ")))")
            } else {
                parts.append(target)
            }
        }
        out.timeline(
            number, due, "escalated",
            "policy '\(policy.name)' step \(step) round \(round)\(note): notify \(parts.joined(separator: ", "))")
    }

    /// `user:NAME`: the target that names a person directly.
    func recipient(_ user: String) -> String { "user:\(user)" }
}
