import IncidentCore

extension WebPages {
    /// The self-service portal's form, with the person's own reports under it. `form` refills the fields after
    /// an error.
    public func portal(
        _ chrome: PageChrome, services: [String], mine: [Incident], form: [String: String] = [:]
    ) -> String {
        page(
            "portal", chrome,
            [
                "summary": form["summary"] ?? "", "service": form["service"] ?? "", "details": form["details"] ?? "",
                "services": services,
                "reachOptions": PortalReport.reachOptions.map {
                    ["value": $0.value, "label": $0.label, "checked": form["reach"] == $0.value] as [String: Any]
                },
                "urgencyOptions": PortalReport.urgencyOptions.map {
                    ["value": $0.value, "label": $0.label, "checked": form["urgency"] == $0.value] as [String: Any]
                },
                "hasMine": !mine.isEmpty,
                "mine": mine.map {
                    ["number": $0.number, "id": $0.id, "title": $0.title, "stateText": Self.progress($0)]
                        as [String: Any]
                },
            ])
    }

    /// A reported incident's progress in plain words, for the person who reported it: state changes and notes
    /// written for them are not shown; only what happened, not who or how.
    public func portalReport(_ chrome: PageChrome, detail: IncidentDetail) -> String {
        let incident = detail.incident
        var steps: [[String: Any]] = [["at": Self.time(incident.openedAt), "text": "We received your report."]]
        if let at = incident.acknowledgedAt {
            steps.append(["at": Self.time(at), "text": "Someone is working on it."])
        }
        if let at = incident.resolvedAt { steps.append(["at": Self.time(at), "text": "We believe it is fixed."]) }
        if let at = incident.closedAt { steps.append(["at": Self.time(at), "text": "The report is closed."]) }
        return page(
            "portal-report", chrome,
            ["id": incident.id, "title": incident.title, "stateText": Self.progress(incident), "steps": steps])
    }

    /// Where a reported problem stands, in words.
    static func progress(_ incident: Incident) -> String {
        switch incident.state {
        case .open: "Received, waiting for someone to take it"
        case .acknowledged: "Someone is working on it"
        case .resolved: "Fixed"
        case .closed: "Closed"
        }
    }

    /// The public status page: open outages and degradations grouped by service, in plain words. It shows no
    /// titles, labels, hosts, people or security incidents: only a service name (see `serviceName`), what kind
    /// of trouble, since when, and whether someone is on it.
    public func status(_ chrome: PageChrome, incidents: [Incident], now: Timestamp) -> String {
        var byService: [String: [Incident]] = [:]
        for incident in incidents
        where incident.state.isActive && (incident.kind == .outage || incident.kind == .degradation) {
            byService[Self.serviceName(incident.labels), default: []].append(incident)
        }
        let services = byService.sorted { lhs, rhs in
            let (l, r) = (lhs.value.contains { $0.kind == .outage }, rhs.value.contains { $0.kind == .outage })
            return l != r ? l : lhs.key < rhs.key
        }.map { name, incidents -> [String: Any] in
            let outage = incidents.contains { $0.kind == .outage }
            return [
                "name": name, "level": outage ? "outage" : "degradation",
                "problems": incidents.sorted { $0.openedAt < $1.openedAt }.map {
                    [
                        "text": $0.kind == .outage ? "Not working" : "Slow or partly working",
                        "since": Self.time($0.openedAt), "beingWorkedOn": $0.state == .acknowledged,
                    ] as [String: Any]
                },
            ]
        }
        return page(
            "status", chrome, ["allClear": services.isEmpty, "services": services, "updated": Self.time(now)])
    }

    /// The name the status page shows for an incident's service: its `service` label when that is a plain name
    /// (a letter, then letters, digits, space, `.`, `_`, `-`; at most 40) that is neither an IP address nor
    /// any host-like label's value of the incident; otherwise "Other services".
    public static func serviceName(_ labels: Labels) -> String {
        let other = "Other services"
        guard let value = labels["service"], let first = value.unicodeScalars.first, value.count <= 40,
            first.properties.isAlphabetic, first.isASCII,
            value.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || $0.properties.numericType != nil
                        || " ._-".unicodeScalars.contains($0))
            })
        else { return other }
        if IPLiteral.isValid(value) { return other }
        for hostLabel in ["host", "hostname", "instance", "node", "nodename", "pod", "server", "address", "ip"]
        where labels[hostLabel]?.lowercased() == value.lowercased() {
            return other
        }
        return value
    }
}
