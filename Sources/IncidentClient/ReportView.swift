import IncidentCore

/// `incidentctl report`: counts and mean times by kind and priority.
public enum ReportView {
    public static func render(_ report: IncidentReport) -> String {
        var out = ["incidents opened since \(report.since.rfc3339): \(report.total)"]
        guard !report.lines.isEmpty else { return out.joined(separator: "\n") }
        func mean(_ seconds: Double?) -> String { seconds.map { ElapsedText.format(seconds: $0) } ?? "-" }
        var rows = report.lines.map {
            [
                $0.kind.rawValue, $0.priority.rawValue, "\($0.count)", mean($0.meanTimeToAcknowledge),
                mean($0.meanTimeToResolve),
            ]
        }
        // Means of means would mislead (each line averages over its own acknowledged or resolved incidents), so
        // the total row counts only.
        rows.append(["total", "", "\(report.total)", "", ""])
        out.append("")
        out.append(TextTable.render(["KIND", "PRIORITY", "COUNT", "MTTA", "MTTR"], rows))
        out.append("")
        out.append("MTTA: mean time from opening to acknowledgement; MTTR: to resolution; - when none was.")
        return out.joined(separator: "\n")
    }
}
