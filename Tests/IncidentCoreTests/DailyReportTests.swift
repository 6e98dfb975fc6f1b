import IncidentCore
import Testing

@Suite struct DailyReportTests {
    static let noon = Timestamp(rfc3339: "2026-12-04T12:00:00Z")!
    static let day = Duration.seconds(86_400)

    @Test func everyDayAndKindIsPresentWithZeroWhenNoneOpened() {
        let report = DailyReport(
            counts: [
                DailyCount(day: "2026-12-02", kind: .outage, count: 2),
                DailyCount(day: "2026-12-04", kind: .security, count: 1),
                DailyCount(day: "2026-12-04", kind: .outage, count: 3),
                // Outside the period: ignored.
                DailyCount(day: "2026-11-01", kind: .outage, count: 9),
            ], since: Self.noon - Self.day * 3, until: Self.noon)
        #expect(report.days == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
        #expect(report.series.map(\.kind) == IncidentKind.allCases)
        #expect(report.series[0].counts == [0, 2, 0, 3])
        #expect(report.series[2].counts == [0, 0, 0, 1])
        #expect(report.series[3].counts == [0, 0, 0, 0])
        #expect(report.totals == [0, 2, 0, 4])
    }

    @Test func theFirstDayStartsAtItsUTCMidnight() {
        let period = DailyReport.period(since: Self.noon - Self.day, until: Self.noon)
        #expect(period.since == Timestamp(rfc3339: "2026-12-03T00:00:00Z")!)
        #expect(period.until == Self.noon)
    }

    @Test func aPeriodIsAtMost366Days() {
        let report = DailyReport(counts: [], since: Self.noon - Self.day * 1000, until: Self.noon)
        #expect(report.days.count == DailyReport.maximumDays)
        #expect(report.days.last == "2026-12-04")
        #expect(report.since == Timestamp(rfc3339: "2025-12-04T00:00:00Z")!)
    }

    @Test func anEmptyPeriodHasOneDay() {
        let report = DailyReport(counts: [], since: Self.noon, until: Self.noon)
        #expect(report.days == ["2026-12-04"])
        #expect(report.series.allSatisfy { $0.counts == [0] })
    }

    @Test func untilAtMidnightEndsTheDayBefore() {
        let midnight = Timestamp(rfc3339: "2026-12-04T00:00:00Z")!
        let report = DailyReport(counts: [], since: midnight - Self.day * 2, until: midnight)
        #expect(report.days == ["2026-12-02", "2026-12-03"])
    }

    @Test(arguments: [
        (Int64(-1), "1969-12-31"), (0, "1970-01-01"), (86_399_999_999, "1970-01-01"), (86_400_000_000, "1970-01-02"),
    ])
    func dayNumbersFloor(microseconds: Int64, day: String) {
        #expect(DailyReport.dayText(DailyReport.dayNumber(Timestamp(microseconds: microseconds))) == day)
    }
}
