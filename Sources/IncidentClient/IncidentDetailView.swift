import IncidentCore

/// `incidentctl show`: the incident's fields, then its alerts, timeline and notes.
public enum IncidentDetailView {
    public static func render(_ detail: IncidentDetail, now: Timestamp) -> String {
        let incident = detail.incident
        func when(_ time: Timestamp?) -> String {
            guard let time else { return "-" }
            return "\(time.rfc3339) (\(ElapsedText.age(of: time, now: now)))"
        }
        var fields: [(String, String)] = [
            (
                "state",
                incident.state.rawValue + (incident.flapping ? ", flapping" : "")
                    + (incident.silenced ? ", silenced" : "")
            ),
            ("kind", incident.kind.rawValue),
            ("priority", "\(incident.priority.rawValue) (\(impactAndUrgency(incident)))"),
            ("rule", incident.rule),
            ("group key", incident.groupKey),
            ("labels", incident.labels.isEmpty ? "-" : incident.labels.description),
            ("alerts", "\(incident.alerts) (\(incident.events) events)"),
            ("opened", when(incident.openedAt)),
            (
                "acknowledged",
                when(incident.acknowledgedAt) + (incident.acknowledgedBy.map { " by \($0)" } ?? "")
            ),
            ("resolved", when(incident.resolvedAt)),
            ("closed", when(incident.closedAt)),
        ]
        if let escalation = incident.escalation {
            var text = "policy \(escalation.policy)"
            if let step = escalation.step {
                text += ", next step \(step), round \(escalation.round)"
            } else {
                text += ", every step done (round \(escalation.round))"
            }
            if let next = escalation.nextAt { text += ", due \(when(next))" }
            fields.append(("escalation", text))
        } else {
            fields.append(("escalation", "none"))
        }
        if let runbook = detail.runbook { fields.append(("runbook", TerminalText.safe(runbook))) }
        var out = ["\(incident.id)  \(incident.title)", ""]
        out += fields.map { "  " + ($0.0 + ":").padding(to: 14) + $0.1 }

        out += ["", "ALERTS"]
        if detail.alerts.isEmpty {
            out.append("  none (a reported incident)")
        } else {
            let related = Set(detail.relatedAlerts)
            let root = detail.rootCause
            let rows = detail.alerts.map { alert in
                let role =
                    alert.fingerprint == root
                    ? " (root cause)" : related.contains(alert.fingerprint) ? " (related)" : ""
                return [
                    alert.fingerprint.description + role,
                    alert.status.rawValue + (alert.suppressed ? " (suppressed)" : ""),
                    "\(alert.events)", ElapsedText.age(of: alert.firstSeen, now: now),
                    ElapsedText.age(of: alert.lastSeen, now: now), alert.labels.description,
                ]
            }
            out.append(
                indent(
                    TextTable.render(["FINGERPRINT", "STATUS", "EVENTS", "FIRST SEEN", "LAST SEEN", "LABELS"], rows)))
        }

        out += ["", "TIMELINE"]
        if detail.timeline.isEmpty {
            out.append("  none")
        } else {
            let rows = detail.timeline.map { [$0.at.rfc3339, $0.type, $0.detail] }
            out.append(indent(TextTable.render(["TIME", "TYPE", "DETAIL"], rows)))
        }

        out += ["", "NOTES"]
        if detail.notes.isEmpty {
            out.append("  none")
        } else {
            for note in detail.notes { out.append("  \(note.at.rfc3339)  \(note.author): \(note.text)") }
        }
        return out.joined(separator: "\n")
    }

    static func impactAndUrgency(_ incident: Incident) -> String {
        "impact \(incident.impact.rawValue), urgency \(incident.urgency.rawValue)"
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}

extension String {
    /// Pads with spaces to `width` characters (never truncates).
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
