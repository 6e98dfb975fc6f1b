import IncidentCore

/// `GET /api/v1/report/daily`: `{"since", "until" (RFC 3339), "days": ["YYYY-MM-DD", ...], "series": [{"kind",
/// "counts": [N per day]}, ...], "totals": [N per day]}`; every day of the period and every kind present.
struct DailyReportBody: Encodable, Sendable {
    var since: String
    var until: String
    var days: [String]
    var series: [Series]
    var totals: [Int]

    struct Series: Encodable, Sendable {
        var kind: IncidentKind
        var counts: [Int]
    }

    init(_ report: DailyReport) {
        since = report.since.rfc3339
        until = report.until.rfc3339
        days = report.days
        series = report.series.map { Series(kind: $0.kind, counts: $0.counts) }
        totals = report.totals
    }
}
