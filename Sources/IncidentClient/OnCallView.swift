import IncidentCore

/// `incidentctl oncall`: per schedule, who is on call now and who is next, times in UTC.
public enum OnCallView {
    public static func render(_ report: OnCallReport) -> String {
        guard !report.schedules.isEmpty else { return "no schedules (the rule files define none)" }
        func shift(_ shift: OnCallShift?) -> String {
            guard let shift else { return "nobody" }
            return TerminalText.safe(shift.user) + (shift.isOverride ? " (override)" : "")
        }
        func span(_ shift: OnCallShift?) -> String {
            guard let shift else { return "" }
            return "\(shift.start.rfc3339) – \(shift.end.rfc3339)"
        }
        let rows = report.schedules.map { status in
            [
                TerminalText.safe(status.name), TerminalText.safe(status.timezone), shift(status.now), span(status.now),
                shift(status.next), status.next.map { "from \($0.start.rfc3339)" } ?? "",
            ]
        }
        return TextTable.render(["SCHEDULE", "TIMEZONE", "NOW", "SHIFT", "NEXT", "HANDOFF"], rows)
    }
}
