import IncidentCore

extension WebPages {
    /// The choices of the list's state filter: its query value and the states it stands for.
    public static let stateFilters: [(value: String, label: String, states: Set<IncidentState>)] = [
        ("", "Active", [.open, .acknowledged]), ("open", "Open", [.open]),
        ("acknowledged", "Acknowledged", [.acknowledged]), ("resolved", "Resolved", [.resolved]),
        ("closed", "Closed", [.closed]), ("all", "All", Set(IncidentState.allCases)),
    ]

    /// The console's incident list: filters, one page of rows, links to the pages before and after.
    public func incidents(_ chrome: PageChrome, page result: IncidentPage, search: IncidentSearch, now: Timestamp)
        -> String
    {
        let stateValue = Self.stateFilters.first { $0.states == search.effectiveStates }?.value ?? ""
        func query(offset: Int) -> String {
            var parts: [String] = []
            if !stateValue.isEmpty { parts.append("state=" + stateValue) }
            if let kind = search.kind { parts.append("kind=" + kind.rawValue) }
            if let priority = search.priority { parts.append("priority=" + priority.rawValue) }
            if let text = search.effectiveText { parts.append("q=" + SafeLink.queryValue(text)) }
            if offset > 0 { parts.append("offset=\(offset)") }
            return parts.isEmpty ? "/" : "/?" + parts.joined(separator: "&")
        }
        let first = result.total == 0 ? 0 : search.offset + 1
        let last = search.offset + result.incidents.count
        var context: [String: Any] = [
            "states": Self.stateFilters.map {
                ["value": $0.value, "label": $0.label, "selected": $0.value == stateValue]
            },
            "kinds": [["value": "", "label": "Any", "selected": search.kind == nil]]
                + IncidentKind.allCases.map {
                    ["value": $0.rawValue, "label": $0.rawValue, "selected": search.kind == $0] as [String: Any]
                },
            "priorities": [["value": "", "label": "Any", "selected": search.priority == nil]]
                + Priority.allCases.map {
                    ["value": $0.rawValue, "label": $0.rawValue, "selected": search.priority == $0] as [String: Any]
                },
            "query": search.effectiveText ?? "",
            "hasRows": !result.incidents.isEmpty,
            "rows": result.incidents.map { Self.row($0, now: now) },
            "summary": result.total == 1 ? "1 incident" : "\(result.total) incidents",
            "pageText": result.total == 0 ? "" : "\(first)–\(last) of \(result.total)",
        ]
        if search.offset > 0 { context["previous"] = query(offset: max(0, search.offset - search.limit)) }
        if last < result.total { context["next"] = query(offset: last) }
        return page("incidents", chrome, context)
    }

    static func row(_ incident: Incident, now: Timestamp) -> [String: Any] {
        var row: [String: Any] = [
            "number": incident.number, "id": incident.id, "priority": incident.priority.rawValue,
            "title": incident.title, "state": incident.state.rawValue, "kind": incident.kind.rawValue,
            "openedAt": incident.openedAt.rfc3339, "openedAgo": ElapsedText.age(of: incident.openedAt, now: now),
            "alerts": incident.alerts, "silenced": incident.silenced, "flapping": incident.flapping,
            "labels": labelTexts(incident.labels), "hasLabels": !incident.labels.isEmpty,
        ]
        if let by = incident.acknowledgedBy { row["acknowledgedBy"] = by }
        return row
    }

    /// A past incident of the same rule and how it ended, for the incident page.
    public struct PastIncident: Sendable {
        public var incident: Incident
        /// The last note written on it: what people usually say fixed it.
        public var lastNote: String?
        /// The knowledge-base article reviewing it: slug and title.
        public var article: (slug: String, title: String)?

        public init(incident: Incident, lastNote: String?, article: (slug: String, title: String)?) {
            self.incident = incident
            self.lastNote = lastNote
            self.article = article
        }
    }

    /// An incident's page: what it is, its alerts (root cause and related), escalation and who was paged,
    /// timeline, notes, past incidents of its rule, and the forms that act on it.
    public func incident(
        _ chrome: PageChrome, detail: IncidentDetail, runbook: String?, past: [PastIncident], now: Timestamp
    ) -> String {
        let incident = detail.incident
        let related = Set(detail.relatedAlerts)
        let root = detail.rootCause
        var actions: [[String: Any]] = []
        for (action, path, label) in [
            (IncidentState.Action.acknowledge, "ack", "Acknowledge"), (.resolve, "resolve", "Resolve"),
            (.reopen, "reopen", "Reopen"), (.close, "close", "Close"),
        ] where incident.state.applying(action) != nil {
            actions.append(["path": path, "label": label, "primary": action == .acknowledge])
        }
        var context: [String: Any] = [
            "number": incident.number, "id": incident.id, "title": incident.title,
            "priority": incident.priority.rawValue, "state": incident.state.rawValue, "kind": incident.kind.rawValue,
            "impact": incident.impact.rawValue, "urgency": incident.urgency.rawValue, "silenced": incident.silenced,
            "flapping": incident.flapping, "openedAt": Self.time(incident.openedAt),
            "openedAgo": ElapsedText.age(of: incident.openedAt, now: now), "rule": incident.rule,
            "labels": Self.labelTexts(incident.labels), "hasLabels": !incident.labels.isEmpty, "actions": actions,
            "alertCount": detail.alerts.count, "hasAlerts": !detail.alerts.isEmpty,
            "alerts": detail.alerts.map { alert -> [String: Any] in
                var row: [String: Any] = [
                    "fingerprint": alert.fingerprint.description, "labels": Self.labelTexts(alert.labels),
                    "status": alert.status.rawValue, "suppressed": alert.suppressed,
                    "firstSeen": Self.time(alert.firstSeen), "lastSeen": Self.time(alert.lastSeen),
                    "events": alert.events, "rootCause": alert.fingerprint == root,
                    "related": related.contains(alert.fingerprint),
                    "canSplit": detail.alerts.count > 1 && incident.state.isActive,
                    "links": alert.annotations.compactMap { label -> [String: Any]? in
                        guard let href = SafeLink.href(label.value) else { return nil }
                        return ["href": href, "text": "\(label.name): \(label.value)"]
                    },
                ]
                if let summary = alert.annotations["summary"] ?? alert.annotations["description"] {
                    row["summary"] = summary
                }
                return row
            },
            "timeline": detail.timeline.map {
                ["at": Self.time($0.at), "type": $0.type, "detail": $0.detail] as [String: Any]
            },
            "notes": detail.notes.map {
                ["author": $0.author, "at": Self.time($0.at), "text": $0.text] as [String: Any]
            },
            "silenceMatchers": Self.labelTexts(incident.labels),
            "hasPast": !past.isEmpty,
            "past": past.map { Self.pastRow($0) },
        ]
        let pages = detail.timeline.filter { $0.type.hasPrefix("notif") || $0.type.hasPrefix("escalat") }
        context["hasPages"] = !pages.isEmpty
        context["pages"] = pages.map { ["at": Self.time($0.at), "text": $0.detail] as [String: Any] }
        if let escalation = incident.escalation {
            var value: [String: Any] = ["policy": escalation.policy, "round": escalation.round + 1]
            if let step = escalation.step { value["step"] = step + 1 }
            if let next = escalation.nextAt { value["nextAt"] = Self.time(next) }
            context["escalation"] = value
        }
        if let by = incident.acknowledgedBy { context["acknowledgedBy"] = by }
        if let resolved = incident.resolvedAt { context["resolvedAt"] = Self.time(resolved) }
        if let runbook {
            if runbook.hasPrefix("kb:") {
                let slug = String(runbook.dropFirst(3))
                context["runbook"] = ["href": "/kb/" + SafeLink.queryValue(slug), "text": "article \(slug)"]
            } else if let href = SafeLink.href(runbook) {
                context["runbook"] = ["href": href, "text": runbook]
            }
        }
        return page("incident", chrome, context)
    }

    static func pastRow(_ past: PastIncident) -> [String: Any] {
        let incident = past.incident
        var outcome: String
        switch incident.state {
        case .open, .acknowledged: outcome = "still \(incident.state.rawValue)"
        case .resolved, .closed:
            if let resolved = incident.resolvedAt {
                outcome = "resolved after \(ElapsedText.between(incident.openedAt, resolved))"
            } else {
                outcome = "closed without resolving"
            }
        }
        if let by = incident.acknowledgedBy { outcome += ", acknowledged by \(by)" }
        var row: [String: Any] = [
            "number": incident.number, "id": incident.id, "title": incident.title,
            "openedAt": time(incident.openedAt), "state": incident.state.rawValue, "outcome": outcome,
        ]
        if let note = past.lastNote { row["lastNote"] = String(note.prefix(300)) }
        if let article = past.article { row["article"] = ["slug": article.slug, "title": article.title] }
        return row
    }
}
