import IncidentCore
import IncidentRules

/// The deterministic state machine that turns events into incidents (DESIGN.md: one engine, three drivers).
///
/// It reads no clock and does no I/O. Drivers hand it events (`ingest`), move its clock (`advance`), and pass
/// on what people do (`perform`); it answers with `Effect`s. The daemon, `incidentctl rules test` and
/// `incidentctl replay` all use this same code path, which is what makes rule tests and replays trustworthy.
///
/// Decisions use the event's own time (clamped to at most `clamp` ahead of arrival). Decisions about the
/// *absence* of events (a threshold window ran out, an alert went quiet, a resolved incident stayed quiet)
/// wait `clamp` longer than their nominal time, so that an event that arrives late, but within the clamp,
/// is still counted: this is what makes a live run equal its replay.
public struct CorrelationEngine: Sendable {
    public internal(set) var ruleSet: RuleSet
    public internal(set) var stats = EngineStats()
    public let clamp: Duration

    var ruleIndexByName: [String: Int] = [:]
    var alerts = RecordTable<Fingerprint, AlertRecord>()
    var incidents = RecordTable<Int, IncidentRecord>()
    /// Group key → the incident currently collecting that group.
    var groups: [String: Int] = [:]
    var pending: [String: PendingGroup] = [:]
    /// PagerDuty dedup_key → alert, so resolve and acknowledge find their trigger.
    var dedupIndex: [String: Fingerprint] = [:]
    /// Per inhibit rule: equal-label key → firing source alerts.
    var inhibitSources: [[String: InhibitSources]] = []
    var timers = TimerHeap()
    /// Resolves that came for alerts not (yet) known, kept for two clamps in case the firing event is late.
    var earlyResolves: [Fingerprint: (time: Timestamp, count: Int)] = [:]
    var earlyResolveQueue: [(Timestamp, Fingerprint)] = []
    var nextNumber = 1
    /// Per rule with a `rate_limit`: when its incidents of the current window opened (oldest first).
    var ruleOpens: [String: [Timestamp]] = [:]
    /// Correlation group key → the incident collecting that entity's alerts (SPEC §13).
    var correlated: [String: Int] = [:]
    /// Silences by id (SPEC §11).
    var silenceTable: [String: Silence] = [:]
    /// Their compiled matchers (rebuilt after a restore).
    var silenceMatchers: [String: [Matcher]] = [:]
    /// The silences and maintenance windows open now.
    var liveMutes: [LiveMute] = []
    /// Each maintenance window's armed timer.
    var maintenanceDue: [String: Timestamp] = [:]
    /// The armed `.muting` timer (earlier ones are stale).
    var mutingDue: Timestamp = .distantPast
    /// The furthest the clock has been advanced to.
    public internal(set) var now: Timestamp = .distantPast

    public init(ruleSet: RuleSet, clamp: Duration = .seconds(60)) {
        self.ruleSet = ruleSet
        self.clamp = clamp
        reindexRules()
        timers.push(.distantPast, .muting)
    }

    mutating func reindexRules() {
        ruleIndexByName = Dictionary(ruleSet.rules.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        inhibitSources = Array(repeating: [:], count: ruleSet.inhibits.count)
        // As the live paths have it: a firing alert that is not itself suppressed.
        for (fingerprint, alert) in alerts.sorted(by: { $0.key < $1.key })
        where alert.status == .firing && !alert.suppressed {
            registerInhibitSource(fingerprint, alert)
        }
    }

    /// Replaces the rules (SIGHUP). Open incidents, their alerts, windows and timers are kept; incidents keep the
    /// name of the rule that opened them and pick up that rule's new settings if it still exists.
    public mutating func reload(_ newRuleSet: RuleSet) {
        ruleSet = newRuleSet
        reindexRules()
        // Maintenance windows may have changed: the next advance re-checks every alert and re-arms their timers.
        mutingDue = now
        timers.push(now, .muting)
    }

    /// The settings an incident follows: its rule, or the defaults when the rule is gone after a reload.
    func rule(named name: String) -> Rule {
        if let index = ruleIndexByName[name] { return ruleSet.rules[index] }
        var rule = Self.defaultRule
        rule.name = name
        return rule
    }

    static let defaultRule = Rule(name: "", location: SourceLocation(file: "-", line: 0, column: 0), matchers: [])

    // MARK: - Ingest

    /// Takes one event. Every event lands in exactly one bucket of `stats`.
    public mutating func ingest(_ event: Event) -> [Effect] {
        var out = EffectBuffer()
        ingest(event, into: &out)
        return out.finish(self)
    }

    /// Takes a batch of events in order; one buffer, so each touched incident is reported once.
    public mutating func ingest(_ events: [Event]) -> [Effect] {
        var out = EffectBuffer()
        for event in events { ingest(event, into: &out) }
        return out.finish(self)
    }

    /// Takes several submissions in order through one buffer, so each touched incident and alert is snapshotted
    /// once for all of them; also returns, per submission, the incidents its events touched (in order of first
    /// touch, without repeats).
    public mutating func ingest(groups: [[Event]]) -> (effects: [Effect], incidents: [[Int]]) {
        var out = EffectBuffer()
        var touched: [[Int]] = []
        touched.reserveCapacity(groups.count)
        for group in groups {
            out.groupTouched.removeAll(keepingCapacity: true)
            // In place: a for-in loop copies each event out of the array, retaining all its labels.
            group.withUnsafeBufferPointer { events in
                for i in events.indices { ingest(events[i], into: &out) }
            }
            touched.append(Self.unique(out.groupTouched))
        }
        return (out.finish(self), touched)
    }

    /// `numbers` without repeats, in order of first appearance. A journal submission of 4,096 events touches about
    /// as many incidents: searching the list kept so far for each was quadratic.
    static func unique(_ numbers: [Int]) -> [Int] {
        var unique: [Int] = []
        if numbers.count <= 16 {
            for number in numbers where !unique.contains(number) { unique.append(number) }
            return unique
        }
        var seen = Set<Int>(minimumCapacity: numbers.count)
        for number in numbers where seen.insert(number).inserted { unique.append(number) }
        return unique
    }

    mutating func ingest(_ event: Event, into out: inout EffectBuffer) {
        stats.eventsIn += 1
        // The clock is at least the arrival of what it is given (drivers advance it first; this keeps it honest
        // for one that does not).
        if event.receivedAt > now { now = event.receivedAt }
        let time = event.eventTime(clamp: clamp)

        // A PagerDuty resolve or acknowledge names its alert by dedup_key alone.
        if event.acknowledges || event.status == .resolved, let key = event.labels["dedup_key"],
            let fingerprint = dedupIndex[key], alerts[fingerprint] != nil
        {
            stats.absorbed += 1
            if event.acknowledges {
                acknowledgeFromSource(fingerprint, at: time, into: &out)
            } else {
                updateKnownAlert(fingerprint, event: event, time: time, into: &out)
            }
            return
        }
        // incidentd's own PagerDuty notifier sends the incident id as dedup_key, so PagerDuty's acknowledge
        // comes back naming the incident rather than one of its alerts.
        if event.acknowledges, let key = event.labels["dedup_key"], let number = Incident.number(from: key),
            incidents[number] != nil
        {
            stats.absorbed += 1
            acknowledge(number, by: "pagerduty", at: time, into: &out)
            return
        }
        if event.acknowledges {
            stats.stale += 1
            return
        }

        let match = ruleSet.match(event)
        guard let ruleIndex = match.ruleIndex else {
            stats.unmatched += 1
            out.effects.append(.unmatched(event.labels))
            return
        }
        if ruleSet.rules[ruleIndex].drop {
            stats.dropped += 1
            out.effects.append(.dropped(rule: ruleSet.rules[ruleIndex].name))
            return
        }
        // The engine keys an alert by its rule and labels: two rules' journal lines with equal labels (they
        // differ only in the message) are two conditions, not repeats of one alert.
        let fingerprint = Self.alertKey(match.labels.fingerprint, rule: ruleSet.rules[ruleIndex].name)
        if alerts.slot(for: fingerprint) != nil, updateKnownAlert(fingerprint, event: event, time: time, into: &out) {
            stats.absorbed += 1
            return
        }
        guard event.status == .firing else {
            // Remember it for a while: its firing event may still be on the way (it may arrive up to the
            // clamp later), and must then resolve at once, as it would have in event-time order.
            stats.stale += 1
            let held = earlyResolves[fingerprint]
            earlyResolves[fingerprint] = (max(held?.time ?? time, time), (held?.count ?? 0) + 1)
            earlyResolveQueue.append((time, fingerprint))
            return
        }
        let classification = ruleSet.classify(event, match: match, ruleIndex: ruleIndex)
        newAlert(classification, event: event, time: time, into: &out)
        if let held = earlyResolves[fingerprint], held.time >= time, let number = alerts[fingerprint]?.incident {
            // The held resolves now count where event order would have put them: on this alert.
            earlyResolves[fingerprint] = nil
            stats.stale -= held.count
            stats.absorbed += held.count
            alerts[fingerprint]!.events += held.count
            incidents[number]!.events += held.count
            resolveAlert(fingerprint, at: held.time, reason: "its resolve arrived before its firing event", into: &out)
        }
    }

    /// Applies an event to an alert the engine holds. Returns false when the alert must start over as a new
    /// alert (it fired again after its incident was resolved for longer than `reopen_within`).
    @discardableResult
    mutating func updateKnownAlert(
        _ fingerprint: Fingerprint, event: Event, time: Timestamp, into out: inout EffectBuffer
    ) -> Bool {
        // The hot path (a repeat of a firing alert) updates both records in place (RecordTable's _modify).
        guard let a = alerts.slot(for: fingerprint) else { return false }
        let number = alerts[slot: a].incident
        guard let i = incidents.slot(for: number) else { return false }
        let previous = alerts[slot: a].status
        let previousAt = alerts[slot: a].statusAt
        let ruleIndex = ruleIndexByName[incidents[slot: i].rule]
        if event.status == .firing, previous == .resolved, time >= previousAt, incidents[slot: i].state == .resolved,
            let resolvedAt = incidents[slot: i].resolvedAt,
            time - resolvedAt > (ruleIndex.map { ruleSet.rules[$0].reopenWithin } ?? Self.defaultRule.reopenWithin)
        {
            detach(fingerprint, from: number, into: &out)
            return false
        }
        // Whether anything but activity (last seen, event counts, the alert's annotations) changes: what did not may
        // be written as just that. New annotations are every evaluation of a Prometheus rule whose annotations show
        // `$value`; an incident's snapshot holds none.
        var changed = false
        alerts[slot: a].events += 1
        if time >= alerts[slot: a].lastSeen {
            alerts[slot: a].lastSeen = time
            if !event.annotations.isEmpty, alerts[slot: a].annotations != event.annotations {
                let before = alerts[slot: a].annotations
                alerts[slot: a].annotations = event.annotations
                // An inhibit rule's source may match annotations: a firing source is one by its new ones, as a
                // restart (which registers sources from the stored alerts) would have it.
                if !ruleSet.inhibits.isEmpty, alerts[slot: a].status == .firing, !alerts[slot: a].suppressed {
                    reregisterInhibitSource(fingerprint, alerts[slot: a], annotationsBefore: before)
                }
            }
        }
        incidents[slot: i].events += 1
        if time > incidents[slot: i].lastActivity { incidents[slot: i].lastActivity = time }
        if time < incidents[slot: i].openedAt {
            backdate(number, to: time)
            changed = true
        }
        switch event.status {
        case .firing:
            if previous == .resolved, time >= previousAt {
                changed = true
                alerts[fingerprint]!.status = .firing
                alerts[fingerprint]!.statusAt = time
                incidents[number]!.firing += 1
                checkMutes(fingerprint)
                let alert = alerts[fingerprint]!
                if alert.suppressed { incidents[number]!.firingSuppressed += 1 }
                if !alert.suppressed { registerInhibitSource(fingerprint, alert) }
                out.timeline(number, time, "alert_firing", "alert \(alert.fingerprint) \(alert.labels) fires again")
                if incidents[number]!.state == .resolved {
                    reopen(number, at: time, reason: "alert \(alert.fingerprint) fired again", into: &out)
                } else {
                    if silencingMayChange(
                        number, otherFiring: incidents[number]!.firing - 1, alertMuted: alert.silencedBy != nil,
                        joining: true)
                    {
                        updateSilenced(
                            number, at: time, because: "alert \(alert.fingerprint) fires again, not muted",
                            into: &out)
                    }
                    if incidents[number]!.flapping { noteFlap(number, at: time, into: &out) }
                }
            }
            let resolveAfter = ruleIndex.flatMap { self.resolveAfter(ruleIndex: $0, source: event.source) }
            if resolveAfter != nil || event.endsAt != nil, alerts[fingerprint]?.status == .firing {
                scheduleResolve(fingerprint, resolveAfter: resolveAfter, event: event, time: time)
            }
        case .resolved:
            if previous == .firing, time >= previousAt {
                changed = true
                resolveAlert(fingerprint, at: time, reason: "the source sent resolved", into: &out)
            }
        }
        if changed {
            out.touch(alert: fingerprint, incident: number)
        } else {
            out.touchActivity(alert: fingerprint, incident: number)
        }
        return true
    }

    /// Places a new alert. `counted` is false for an alert released from suppression: its events were counted
    /// when they arrived, and it does not go through a threshold again.
    mutating func newAlert(
        _ c: Classification, event: Event, time: Timestamp, counted: Bool = true, into out: inout EffectBuffer
    ) {
        let rule = c.rule
        // 1. Inhibition: a target alert joins the source's incident as suppressed.
        if let (number, inhibit, source) = inhibitingIncident(for: c, event: event) {
            if counted { stats.absorbed += 1 }
            attach(c, event: event, time: time, to: number, suppressed: true, into: &out)
            out.timeline(
                number, time, "suppressed",
                "alert \(c.fingerprint) \(c.labels) suppressed by inhibit rule '\(inhibit)': source alert \(source) is firing with equal \(ruleSet.inhibits.first { $0.name == inhibit }?.equal.joined(separator: ", ") ?? "")"
            )
            return
        }
        // 2. An incident already collecting this group.
        if let number = groups[c.groupKey], let incident = incidents[number] {
            if incident.state.isActive, time <= incident.lastActivity + rule.groupWindow {
                if counted { stats.absorbed += 1 }
                attach(c, event: event, time: time, to: number, suppressed: false, into: &out)
                out.timeline(
                    number, time, "grouped",
                    "alert \(c.fingerprint) \(c.labels) joined by rule '\(rule.name)': same group \(c.groupKey)")
                return
            }
            if incident.state == .resolved, let resolvedAt = incident.resolvedAt, time - resolvedAt <= rule.reopenWithin
            {
                if counted { stats.absorbed += 1 }
                attach(c, event: event, time: time, to: number, suppressed: false, into: &out)
                reopen(number, at: time, reason: "new alert \(c.fingerprint) in group \(c.groupKey)", into: &out)
                return
            }
        }
        // 3. Another rule's incident about the same entity, through a correlation group.
        if let (number, group) = correlatedIncident(for: c, at: time) {
            joinCorrelated(c, event: event, time: time, number: number, group: group, counted: counted, into: &out)
            return
        }
        // 4. A threshold holds events until enough arrive.
        if counted, let threshold = rule.threshold {
            hold(c, event: event, time: time, threshold: threshold, into: &out)
            return
        }
        // 5. A new incident.
        if counted { stats.absorbed += 1 }
        let number = open(
            c, event: event, time: time, reason: "rule '\(rule.name)' matched (\(matchSummary(rule)))", into: &out)
        attach(c, event: event, time: time, to: number, suppressed: false, into: &out)
    }

    /// An alert resolves by itself after `resolve_after` without a firing event, or at the `endsAt` its source
    /// promised (Prometheus sends endsAt a few intervals ahead and refreshes it while the alert fires).
    mutating func scheduleResolve(_ fingerprint: Fingerprint, resolveAfter: Duration?, event: Event, time: Timestamp) {
        guard let alert = alerts[fingerprint] else { return }
        var due: Timestamp?
        if let after = resolveAfter { due = alert.lastSeen + after }
        if let endsAt = event.endsAt, endsAt > time { due = max(due ?? endsAt, endsAt) }
        guard let due, due != alert.resolveDue else { return }
        alerts[fingerprint]!.resolveDue = due
        timers.push(due + clamp, .alertResolve(fingerprint))
    }

    /// An event older than the incident's opening (it arrived late, within the clamp) moves the opening back,
    /// and with it the first run of the escalation policy, so the schedule does not depend on arrival order.
    mutating func backdate(_ number: Int, to time: Timestamp) {
        guard var incident = incidents[number], time < incident.openedAt, !incident.manual else { return }
        let shift = incident.openedAt - time
        incident.openedAt = time
        if var escalation = incident.escalation, escalation.firstRound == 0, escalation.base > time,
            let policy = ruleSet.policies[escalation.policy], escalation.step < policy.steps.count
        {
            escalation.base = max(escalation.base - shift, escalation.floor)
            if escalation.due != nil {
                let due =
                    escalation.base
                    + Self.offset(policy, step: escalation.step, roundIndex: escalation.round - escalation.firstRound)
                escalation.due = due
                timers.push(due, .escalation(number))
            }
            incident.escalation = escalation
        }
        incidents[number] = incident
    }

    /// The engine's key for an alert: its Alertmanager fingerprint extended (FNV-1a) with the deciding rule.
    static func alertKey(_ fingerprint: Fingerprint, rule: String) -> Fingerprint {
        var hash = fingerprint.rawValue
        hash = (hash ^ 0xFE) &* 1_099_511_628_211
        for byte in rule.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Fingerprint(rawValue: hash)
    }

    /// `Rule.resolveAfter(for:)` read field by field: calling a method on the stored rule copies all of it.
    func resolveAfter(ruleIndex i: Int, source: EventSource) -> Duration? {
        if ruleSet.rules[i].resolveAfterDisabled { return nil }
        if let after = ruleSet.rules[i].resolveAfter { return after }
        return source == .journal ? Rule.defaultJournalResolveAfter : nil
    }

    func matchSummary(_ rule: Rule) -> String {
        rule.matchers.isEmpty ? "catch-all" : rule.matchers.map(\.description).joined(separator: ", ")
    }

    // MARK: - Incidents and alerts

    mutating func open(_ c: Classification, event: Event, time: Timestamp, reason: String, into out: inout EffectBuffer)
        -> Int
    {
        if let limit = c.rule.rateLimit, !admitOpening(c.rule.name, limit: limit, at: time) {
            return gather(c, limit: limit, event: event, time: time, into: &out)
        }
        return openIncident(c, event: event, time: time, reason: reason, into: &out)
    }

    /// Whether the rule may open another incident at `time` under its `rate_limit`; records the opening if so.
    mutating func admitOpening(_ rule: String, limit: Rule.RateLimit, at time: Timestamp) -> Bool {
        var opens = ruleOpens[rule] ?? []
        let cutoff = time - limit.within
        opens.removeAll { $0 <= cutoff }
        guard opens.count < limit.incidents else {
            ruleOpens[rule] = opens
            return false
        }
        opens.append(time)
        ruleOpens[rule] = opens
        return true
    }

    /// Past its `rate_limit`, a rule's new alerts gather in one incident of the rule's own (group key
    /// `RULE/rate-limited`): one page, and every alert still recorded, instead of an incident and a page each.
    /// Whoever floods the journal with forged lines reaches this wall, not the on-call engineer's phone.
    mutating func gather(
        _ c: Classification, limit: Rule.RateLimit, event: Event, time: Timestamp, into out: inout EffectBuffer
    ) -> Int {
        out.effects.append(.rateLimited(rule: c.rule.name))
        let key = "\(c.rule.name)/rate-limited"
        let window = DurationText.format(limit.within)
        if let number = groups[key], let incident = incidents[number], incident.state.isActive {
            out.timeline(
                number, time, "rate_limited",
                "alert \(c.fingerprint) \(c.labels) gathered here: rule '\(c.rule.name)' opened \(limit.incidents) incidents within \(window)"
            )
            return number
        }
        var gathered = c
        gathered.groupKey = key
        gathered.title = "\(c.rule.name): more than \(limit.incidents) incidents within \(window); the rest gather here"
        return openIncident(
            gathered, event: event, time: time,
            reason:
                "rule '\(c.rule.name)' reached its rate_limit (\(limit.incidents) incidents within \(window)): its new alerts gather here",
            into: &out)
    }

    mutating func openIncident(
        _ c: Classification, event: Event, time: Timestamp, reason: String, into out: inout EffectBuffer
    ) -> Int {
        let number = nextNumber
        nextNumber += 1
        let rule = c.rule
        incidents[number] = IncidentRecord(
            number: number, title: c.title, kind: c.kind, state: .open, impact: c.impact, urgency: c.urgency,
            priority: c.priority, rule: rule.name, groupKey: c.groupKey, labels: c.labels, alerts: [], firing: 0,
            events: 0, flapping: false, openedAt: time, lastActivity: time, acknowledgedAt: nil, acknowledgedBy: nil,
            resolvedAt: nil, distinct: [], reopens: [], escalation: nil, ackDue: nil, closeDue: nil, flapDue: nil,
            manual: false)
        groups[c.groupKey] = number
        registerCorrelation(number, c)
        stats.incidentsOpened += 1
        out.timeline(number, time, "opened", reason)
        out.timeline(number, time, "classified", "kind \(c.kind.rawValue) by rule '\(rule.name)'")
        out.timeline(
            number, time, "prioritised",
            "impact \(c.impact.rawValue) × urgency \(c.urgency.rawValue)\(rule.urgency == nil ? " (severity \(c.labels["severity"] ?? "none"))" : "") = \(c.priority.rawValue)"
        )
        let muting = mayMute ? mutes(c.labels) : []
        if muting.isEmpty {
            out.lifecycle(number, .open, time)
        } else {
            // Its first alert is muted: the incident opens silenced, and nothing is sent for it.
            incidents[number]!.silenced = true
            out.timeline(
                number, time, "silenced",
                "its alert is muted by \(muting.map(describeMute).joined(separator: ", ")): escalation waits")
        }
        startEscalation(number, at: time, firstRound: 0, reason: "opened", into: &out)
        out.touch(incident: number)
        return number
    }

    mutating func attach(
        _ c: Classification, event: Event, time: Timestamp, to number: Int, suppressed: Bool,
        into out: inout EffectBuffer
    ) {
        let fingerprint = Self.alertKey(c.fingerprint, rule: c.rule.name)
        let record = AlertRecord(
            fingerprint: c.fingerprint, labels: c.labels, annotations: event.annotations, status: .firing,
            statusAt: time, firstSeen: time,
            lastSeen: time, events: 1, incident: number, suppressed: suppressed, source: event.source, resolveDue: nil)
        alerts[fingerprint] = record
        if let key = c.labels["dedup_key"] { dedupIndex[key] = fingerprint }
        // Changed in place: a copy taken out of the table would share the alert list with the table's record, so
        // appending to it would copy the whole list (quadratic in the incident's size).
        let i = incidents.slot(for: number)!
        let firingBefore = incidents[slot: i].firing
        incidents[slot: i].labels =
            incidents[slot: i].alerts.isEmpty && !incidents[slot: i].manual
            ? c.labels : incidents[slot: i].labels.intersection(c.labels)
        incidents[slot: i].alerts.append(fingerprint)
        incidents[slot: i].firing += 1
        if suppressed { incidents[slot: i].firingSuppressed += 1 }
        incidents[slot: i].events += 1
        if time > incidents[slot: i].lastActivity { incidents[slot: i].lastActivity = time }
        let silenced = incidents[slot: i].silenced
        let alertCount = incidents[slot: i].alerts.count
        let ruleName = incidents[slot: i].rule
        backdate(number, to: time)
        if !suppressed { registerInhibitSource(fingerprint, record) }
        if mayMute || silenced == true {
            checkMutes(fingerprint)
            let by = alerts[fingerprint]?.silencedBy
            if let by, alertCount > 1 || silenced != true {
                out.timeline(
                    number, time, "muted",
                    "alert \(c.fingerprint) \(c.labels) is muted by \(by.map(describeMute).joined(separator: ", "))")
            }
            if silencingMayChange(number, otherFiring: firingBefore, alertMuted: by != nil, joining: true) {
                updateSilenced(number, at: time, because: "alert \(c.fingerprint) is not muted", into: &out)
            }
        }
        scheduleResolve(
            fingerprint, resolveAfter: rule(named: ruleName).resolveAfter(for: event.source), event: event,
            time: time)
        grow(number, with: c, at: time, into: &out)
        out.touch(alert: fingerprint, incident: number)
    }

    /// Raises impact (count_distinct) and urgency as the incident grows; priority only ever rises.
    mutating func grow(_ number: Int, with c: Classification, at time: Timestamp, into out: inout EffectBuffer) {
        // In place, as in `attach`: the distinct values grow with the incident.
        let i = incidents.slot(for: number)!
        let rule = rule(named: incidents[slot: i].rule)
        var reasons: [String] = []
        if case .countDistinct(let label, _, _) = rule.impact, let value = c.labels[label] {
            var low = 0
            var high = incidents[slot: i].distinct.count
            while low < high {
                let mid = (low + high) / 2
                if incidents[slot: i].distinct[mid] < value { low = mid + 1 } else { high = mid }
            }
            if low == incidents[slot: i].distinct.count || incidents[slot: i].distinct[low] != value {
                incidents[slot: i].distinct.insert(value, at: low)
            }
            let distinct = incidents[slot: i].distinct.count
            let impact = rule.impact.impact(distinct: distinct)
            if impact > incidents[slot: i].impact {
                incidents[slot: i].impact = impact
                reasons.append("impact \(impact.rawValue): \(distinct) distinct \(label)")
            }
        }
        if rule.urgency == nil, c.urgency > incidents[slot: i].urgency {
            incidents[slot: i].urgency = c.urgency
            reasons.append("urgency \(c.urgency.rawValue): severity \(c.labels["severity"] ?? "")")
        }
        guard !reasons.isEmpty else { return }
        let priority = ruleSet.priorityMatrix.priority(
            impact: incidents[slot: i].impact, urgency: incidents[slot: i].urgency)
        let old = incidents[slot: i].priority
        if priority > old { incidents[slot: i].priority = priority }
        out.timeline(
            number, time, "prioritised",
            reasons.joined(separator: "; ")
                + (priority > old ? "; priority \(old.rawValue) → \(priority.rawValue)" : ""))
        if priority > old { priorityRaised(number, at: time, into: &out) }
    }

    /// Removes an alert from an incident it no longer belongs to (it fired again after the reopen window).
    mutating func detach(_ fingerprint: Fingerprint, from number: Int, into out: inout EffectBuffer) {
        unregisterInhibitSource(fingerprint)
        alerts[fingerprint] = nil
        // In place: through `incidents[number]?` the list would be copied first (see `attach`).
        if let i = incidents.slot(for: number) { incidents[slot: i].alerts.removeAll { $0 == fingerprint } }
    }

    mutating func resolveAlert(
        _ fingerprint: Fingerprint, at time: Timestamp, reason: String, into out: inout EffectBuffer
    ) {
        guard var alert = alerts[fingerprint], alert.status == .firing else { return }
        alert.status = .resolved
        alert.statusAt = time
        alert.resolveDue = nil
        alerts[fingerprint] = alert
        unregisterInhibitSource(fingerprint)
        let number = alert.incident
        guard var incident = incidents[number] else { return }
        incident.firing -= 1
        if alert.suppressed { incident.firingSuppressed -= 1 }
        incidents[number] = incident
        out.touch(alert: fingerprint, incident: number)
        out.timeline(number, time, "alert_resolved", "alert \(alert.fingerprint) resolved: \(reason)")
        guard incident.state.isActive, !incident.manual else { return }
        if incident.firing > 0,
            silencingMayChange(
                number, otherFiring: incident.firing, alertMuted: alert.silencedBy != nil, joining: false)
        {
            updateSilenced(number, at: time, because: "alert \(alert.fingerprint) resolved", into: &out)
        }
        if incident.firing == 0 {
            if incident.flapping {
                holdForFlapping(number, at: time, into: &out)
            } else {
                resolve(number, at: time, by: nil, reason: "all \(incident.alerts.count) alerts resolved", into: &out)
            }
        } else if incident.firing == incident.firingSuppressed, !incident.flapping {
            releaseSuppressed(number, at: time, into: &out)
        }
    }

    /// The incident's own alerts have all resolved, but alerts it suppressed still fire: they were only
    /// absorbed because of the alerts that are gone, so they are released to stand on their own (as
    /// Alertmanager shows an inhibited alert once its source resolves), and the incident resolves.
    mutating func releaseSuppressed(_ number: Int, at time: Timestamp, into out: inout EffectBuffer) {
        guard let incident = incidents[number] else { return }
        let released = incident.alerts.filter { alerts[$0]?.suppressed == true && alerts[$0]?.status == .firing }
        for key in released {
            let alert = alerts[key]!
            detach(key, from: number, into: &out)
            incidents[number]!.firing -= 1
            incidents[number]!.firingSuppressed -= 1
            out.timeline(
                number, time, "released",
                "alert \(alert.fingerprint) \(alert.labels) released: the alerts that suppressed it have resolved")
            let event = Event(
                labels: alert.labels, annotations: alert.annotations, status: .firing, startsAt: time,
                source: alert.source, receivedAt: time)
            let match = ruleSet.match(event)
            guard let ruleIndex = match.ruleIndex, !ruleSet.rules[ruleIndex].drop else { continue }
            let c = ruleSet.classify(event, match: match, ruleIndex: ruleIndex)
            newAlert(c, event: event, time: time, counted: false, into: &out)
            let newKey = Self.alertKey(c.fingerprint, rule: c.rule.name)
            if alerts[newKey] != nil {
                alerts[newKey]!.events = alert.events
                alerts[newKey]!.firstSeen = alert.firstSeen
            }
        }
        resolve(
            number, at: time, by: nil,
            reason: "all its own alerts resolved; \(released.count) suppressed alerts released", into: &out)
    }

    mutating func resolve(
        _ number: Int, at time: Timestamp, by person: String?, reason: String, into out: inout EffectBuffer
    ) {
        guard var incident = incidents[number] else { return }
        incident.state = .resolved
        incident.resolvedAt = time
        incident.silenced = nil
        incident.escalationWaits = nil
        incident.escalation?.held = []
        incident.escalation?.due = nil
        incident.ackDue = nil
        incident.flapDue = nil
        let after = rule(named: incident.rule).closeAfter
        incident.closeDue = time + after
        incidents[number] = incident
        timers.push(time + after + clamp, .close(number))
        stats.incidentsResolved += 1
        out.timeline(number, time, "resolved", (person.map { "by \($0): " } ?? "") + reason)
        cancelPages(
            number, at: time, reason: person.map { "resolved by \($0)" } ?? "resolved: \(reason)",
            stops: { $0 != .always }, into: &out)
        out.lifecycle(number, .resolve, time)
        out.touch(incident: number)
    }

    mutating func reopen(_ number: Int, at time: Timestamp, reason: String, into out: inout EffectBuffer) {
        // Its firing sources (a released alert can be left firing in an incident that resolved) inhibit again.
        forgetInhibitChoices(of: number)
        guard var incident = incidents[number] else { return }
        incident.state = .open
        incident.resolvedAt = nil
        incident.closeDue = nil
        incident.acknowledgedAt = nil
        incident.acknowledgedBy = nil
        incident.lastActivity = max(incident.lastActivity, time)
        incidents[number] = incident
        stats.incidentsReopened += 1
        out.timeline(number, time, "reopened", reason)
        updateSilenced(number, at: time, because: reason, into: &out)
        if incidents[number]!.silenced != true { out.lifecycle(number, .reopen, time) }
        noteFlap(number, at: time, into: &out)
        let nextRound = (incidents[number]!.escalation?.round ?? -1) + 1
        startEscalation(number, at: time, firstRound: nextRound, reason: "reopened", into: &out)
        out.touch(incident: number)
    }

    /// Counts a reopen toward flapping; more than `flapping.reopens` within `flapping.within` marks it.
    mutating func noteFlap(_ number: Int, at time: Timestamp, into out: inout EffectBuffer) {
        guard var incident = incidents[number], let flapping = rule(named: incident.rule).flapping else { return }
        incident.reopens.append(time)
        incident.reopens.removeAll { time - $0 > flapping.within }
        if !incident.flapping, incident.reopens.count > flapping.reopens {
            incident.flapping = true
            out.timeline(
                number, time, "flapping",
                "\(incident.reopens.count) reopens within \(DurationText.format(flapping.within)) (more than \(flapping.reopens)): marked flapping, resolve is held until it calms down"
            )
        }
        incidents[number] = incident
        out.touch(incident: number)
    }

    mutating func holdForFlapping(_ number: Int, at time: Timestamp, into out: inout EffectBuffer) {
        guard var incident = incidents[number], let flapping = rule(named: incident.rule).flapping else { return }
        let due = (incident.reopens.last ?? time) + flapping.within
        let checkAt = max(due, time)
        incident.flapDue = checkAt
        incidents[number] = incident
        timers.push(checkAt + clamp, .flapping(number))
        out.timeline(
            number, time, "resolve_held",
            "all alerts resolved, but the incident is flapping: it resolves if it stays quiet until \(checkAt)")
    }

    // MARK: - Threshold

    mutating func hold(
        _ c: Classification, event: Event, time: Timestamp, threshold: Rule.Threshold, into out: inout EffectBuffer
    ) {
        // Taken out of the table while it changes: a copy would share the entries with the table's, and appending
        // would copy them all (each held event cost in proportion to the events held before it).
        var group =
            pending.removeValue(forKey: c.groupKey)
            ?? PendingGroup(rule: c.rule.name, entries: [], newest: time, due: nil)
        group.newest = max(group.newest, time)
        group.append(.init(event: event, labels: c.labels, time: time))
        stats.pending += 1
        expire(&group, before: group.newest - threshold.within)
        let reached: Bool
        if let label = threshold.distinctLabel {
            reached = group.distinctCount(of: label) >= threshold.count
        } else {
            reached = group.entries.count >= threshold.count
        }
        guard reached else {
            if let oldest = group.oldest {
                let due = oldest + threshold.within
                if group.due != due {
                    group.due = due
                    timers.push(due + clamp, .pending(c.groupKey))
                }
            }
            pending[c.groupKey] = group
            return
        }
        pending[c.groupKey] = nil
        let entries = group.entries.sorted { $0.time < $1.time }
        stats.pending -= entries.count
        let what = threshold.distinctLabel.map { "\(threshold.count) distinct \($0)" } ?? "\(threshold.count) events"
        // Held events of alerts placed meanwhile count where they are (see `absorbHeld`); the first other one opens.
        var rest = entries[...]
        var opener: (entry: PendingGroup.Entry, event: Event, classification: Classification)?
        while opener == nil, let entry = rest.popFirst() {
            if let new = repeatOfKnownAlert(entry, c, into: &out) { opener = (entry, new.event, new.classification) }
        }
        guard let (first, replay, ec) = opener else { return }
        stats.absorbed += 1
        let n = open(
            ec, event: replay, time: time,
            reason:
                "threshold of rule '\(c.rule.name)' reached: \(what) within \(DurationText.format(threshold.within)) (\(entries.count) events held)",
            into: &out)
        attach(ec, event: replay, time: first.time, to: n, suppressed: false, into: &out)
        absorbHeld(rest, c, into: n, into: &out)
    }

    /// A held event as its rule classifies it, with the labels extraction gave it when it arrived.
    func heldClassification(_ entry: PendingGroup.Entry, _ c: Classification) -> (Event, Classification) {
        var replay = entry.event
        replay.labels = entry.labels
        let match = RuleSet.Match(ruleIndex: c.ruleIndex, enrichedBy: [], labels: entry.labels, extracted: Labels())
        return (replay, ruleSet.classify(replay, match: match, ruleIndex: c.ruleIndex))
    }

    /// Puts held events (in time order) into incident `number`: repeats of an alert the engine holds update that
    /// alert where it is, others attach as new alerts. Used when a threshold is reached and when a correlated alert
    /// brings its rule's held events along.
    mutating func absorbHeld(
        _ entries: some Sequence<PendingGroup.Entry>, _ c: Classification, into number: Int,
        into out: inout EffectBuffer
    ) {
        for entry in entries {
            guard let new = repeatOfKnownAlert(entry, c, into: &out) else { continue }
            attach(new.classification, event: new.event, time: entry.time, to: number, suppressed: false, into: &out)
            stats.absorbed += 1
        }
    }

    /// A held event of an alert the engine already holds counts as a repeat of it, in its incident, as the same
    /// event arriving now would. The alert may be elsewhere: a later event of it went past the threshold (an inhibit
    /// took it into its source's incident) while this one was held; attaching it again would list it in two
    /// incidents, and the first would count it firing for good. Nil when absorbed so; otherwise the event and its
    /// classification, to attach as a new alert (the alert is unknown, or must start over).
    mutating func repeatOfKnownAlert(_ entry: PendingGroup.Entry, _ c: Classification, into out: inout EffectBuffer)
        -> (event: Event, classification: Classification)?
    {
        let (replay, ec) = heldClassification(entry, c)
        let key = Self.alertKey(ec.fingerprint, rule: ec.rule.name)
        guard alerts.slot(for: key) != nil, updateKnownAlert(key, event: replay, time: entry.time, into: &out) else {
            return (replay, ec)
        }
        stats.absorbed += 1
        return nil
    }

    /// Moves held events older than `cutoff` out of the window.
    mutating func expire(_ group: inout PendingGroup, before cutoff: Timestamp) {
        let gone = group.expire(before: cutoff)
        stats.pending -= gone
        stats.belowThreshold += gone
    }

    // MARK: - Inhibition

    func inhibitKey(_ equal: [String], _ labels: Labels) -> String {
        equal.map { labels[$0] ?? "" }.joined(separator: "\u{1F}")
    }

    mutating func registerInhibitSource(_ fingerprint: Fingerprint, _ alert: AlertRecord) {
        guard !ruleSet.inhibits.isEmpty else { return }
        let event = Event(labels: alert.labels, annotations: alert.annotations, source: alert.source, receivedAt: .zero)
        let valid = isInhibitingSource(alert)
        for (i, inhibit) in ruleSet.inhibits.enumerated() where inhibit.sourceMatches(event) {
            inhibitSources[i][inhibitKey(inhibit.equal, alert.labels), default: InhibitSources()].insert(
                fingerprint, incident: alert.incident, inhibiting: valid)
        }
    }

    /// A registered source's annotations changed (its labels, and so its keys, cannot). Only an inhibit whose source
    /// matches differently by the new annotations gains or loses it: on Prometheus' path every evaluation of a rule
    /// whose annotations show `$value` comes here, and removing and inserting it in every inhibit's set each time
    /// (building each key, dropping a set left empty and allocating it again) was 9% of the daemon's CPU.
    mutating func reregisterInhibitSource(_ fingerprint: Fingerprint, _ alert: AlertRecord, annotationsBefore: Labels) {
        var event = Event(
            labels: alert.labels, annotations: annotationsBefore, source: alert.source, receivedAt: .zero)
        var before: [Bool] = []
        before.reserveCapacity(ruleSet.inhibits.count)
        for i in ruleSet.inhibits.indices { before.append(ruleSet.inhibits[i].sourceMatches(event)) }
        event.annotations = alert.annotations
        for i in ruleSet.inhibits.indices {
            let now = ruleSet.inhibits[i].sourceMatches(event)
            guard now != before[i] else { continue }
            let key = inhibitKey(ruleSet.inhibits[i].equal, alert.labels)
            if now {
                inhibitSources[i][key, default: InhibitSources()].insert(
                    fingerprint, incident: alert.incident, inhibiting: isInhibitingSource(alert))
            } else {
                inhibitSources[i][key]?.remove(fingerprint)
                if inhibitSources[i][key]?.members.isEmpty == true { inhibitSources[i][key] = nil }
            }
        }
    }

    mutating func unregisterInhibitSource(_ fingerprint: Fingerprint) {
        guard !ruleSet.inhibits.isEmpty, let alert = alerts[fingerprint] else { return }
        for (i, inhibit) in ruleSet.inhibits.enumerated() {
            let key = inhibitKey(inhibit.equal, alert.labels)
            inhibitSources[i][key]?.remove(fingerprint)
            if inhibitSources[i][key]?.members.isEmpty == true { inhibitSources[i][key] = nil }
        }
    }

    /// Whether a registered source alert inhibits now: it fires, in an active incident.
    func isInhibitingSource(_ alert: AlertRecord) -> Bool {
        guard alert.status == .firing, let i = incidents.slot(for: alert.incident) else { return false }
        return incidents[slot: i].state.isActive
    }

    /// The incident whose source alert inhibits an alert of `c`, the inhibit rule's name and that source alert.
    mutating func inhibitingIncident(for c: Classification, event: Event) -> (Int, String, Fingerprint)? {
        guard !ruleSet.inhibits.isEmpty else { return nil }
        var target = event
        target.labels = c.labels
        for (i, inhibit) in ruleSet.inhibits.enumerated() where inhibit.targetMatches(target) {
            let key = inhibitKey(inhibit.equal, c.labels)
            guard let sources = inhibitSources[i][key] else { continue }
            if let lowest = sources.lowest, sources.members.contains(lowest.key), let a = alerts.slot(for: lowest.key),
                alerts[slot: a].incident == lowest.incident, isInhibitingSource(alerts[slot: a])
            {
                return (lowest.incident, inhibit.name, lowest.key)
            }
            guard let best = lowestInhibitingSource(sources.members) else { continue }
            inhibitSources[i][key]!.lowest = best
            return (best.incident, inhibit.name, best.key)
        }
        return nil
    }

    /// The source alert with the lowest incident number (then the lowest key) among `members` that inhibits now, so
    /// that the choice does not depend on hashing order. A pass over all of them.
    func lowestInhibitingSource(_ members: Set<Fingerprint>) -> (incident: Int, key: Fingerprint)? {
        var best: (incident: Int, key: Fingerprint)?
        for key in members {
            guard let a = alerts.slot(for: key), isInhibitingSource(alerts[slot: a]) else { continue }
            let incident = alerts[slot: a].incident
            if best.map({ (incident, key) < ($0.incident, $0.key) }) ?? true { best = (incident, key) }
        }
        return best
    }

    /// Forgets the chosen source of every key one of the incident's firing alerts is registered under (its state
    /// becomes active again, so they may inhibit again).
    mutating func forgetInhibitChoices(of number: Int) {
        guard !ruleSet.inhibits.isEmpty, let i = incidents.slot(for: number) else { return }
        for fingerprint in incidents[slot: i].alerts {
            guard let a = alerts.slot(for: fingerprint), alerts[slot: a].status == .firing else { continue }
            for (r, inhibit) in ruleSet.inhibits.enumerated() {
                let key = inhibitKey(inhibit.equal, alerts[slot: a].labels)
                if inhibitSources[r][key]?.lowest != nil { inhibitSources[r][key]!.lowest = nil }
            }
        }
    }

    /// Forgets every inhibit rule's chosen source (alerts moved to another incident).
    mutating func forgetInhibitChoices() {
        for i in inhibitSources.indices {
            for key in inhibitSources[i].keys { inhibitSources[i][key]!.lowest = nil }
        }
    }
}

/// The source alerts registered under one key of an inhibit rule (firing and not suppressed themselves), and the
/// one a lookup chose from them last, so that each target alert of a storm does not look through every source
/// again (with an Alertmanager-style `equal: [alertname, service]`, a storm of 5,000 sources and 5,000 targets in one
/// service cost 9 s of the pipeline's CPU).
struct InhibitSources: Sendable {
    var members: Set<Fingerprint> = []
    /// The member with the lowest (incident, key) among those that inhibit, as the last lookup found it; nil when
    /// not known. It stays the lowest while nothing lower can appear: a member added lower replaces it, one added
    /// while it does not inhibit (its incident may become active later) forgets it, so does removing it, a reopen
    /// of an incident with firing members (`forgetInhibitChoices(of:)`: they inhibit again), and a merge
    /// (`forgetInhibitChoices()`: alerts change incident). A lookup checks it is still a member and still inhibits,
    /// and looks through the members again when it does not.
    var lowest: (incident: Int, key: Fingerprint)?

    mutating func insert(_ key: Fingerprint, incident: Int, inhibiting: Bool) {
        members.insert(key)
        guard let current = lowest else { return }
        if !inhibiting {
            lowest = nil
        } else if (incident, key) < (current.incident, current.key) {
            lowest = (incident, key)
        }
    }

    mutating func remove(_ key: Fingerprint) {
        members.remove(key)
        if lowest?.key == key { lowest = nil }
    }
}
