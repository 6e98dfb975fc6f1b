import Foundation
import IncidentCore
import Testing

@testable import IncidentRules

/// `MaintenanceWindow.occurrence(at:)` and `nextBoundary(after:)`: local ranges across daylight-saving changes
/// and midnight.
@Suite struct MaintenanceWindowTests {
    let utc = People.utc

    func occurrence(_ window: MaintenanceWindow, _ time: String) -> [String]? {
        window.occurrence(at: utc(time)).map { [$0.start.rfc3339, $0.end.rfc3339] }
    }

    func pair(_ start: String, _ end: String) -> [String] { [utc(start).rfc3339, utc(end).rfc3339] }

    @Test func aWeeklyWindowIsOpenOnItsDayOnly() throws {
        let window = try People.window("Sun 02:00-04:00", "Europe/Berlin")
        // Sunday 2026-12-06, CET: 01:00Z to 03:00Z; start inclusive, end exclusive.
        #expect(occurrence(window, "2026-12-06T01:00:00Z") == pair("2026-12-06T01:00:00Z", "2026-12-06T03:00:00Z"))
        #expect(occurrence(window, "2026-12-06T02:59:59Z") == pair("2026-12-06T01:00:00Z", "2026-12-06T03:00:00Z"))
        #expect(occurrence(window, "2026-12-06T00:59:59Z") == nil)
        #expect(occurrence(window, "2026-12-06T03:00:00Z") == nil)
        #expect(occurrence(window, "2026-12-05T01:30:00Z") == nil)  // a Saturday
        #expect(window.nextBoundary(after: utc("2026-12-01T00:00:00Z")) == utc("2026-12-06T01:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-12-06T01:00:00Z")) == utc("2026-12-06T03:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-12-06T03:00:00Z")) == utc("2026-12-13T01:00:00Z"))
    }

    /// On 2026-03-29 Berlin skips 02:00–03:00: the window opens at 03:00 CEST and lasts one hour. On
    /// 2026-10-25 02:00 happens twice: it opens at the first (CEST) and closes at 04:00 CET, three hours on.
    @Test func aWeeklyWindowAcrossDaylightSavingInBerlin() throws {
        let window = try People.window("Sun 02:00-04:00", "Europe/Berlin")
        #expect(occurrence(window, "2026-03-22T02:00:00Z") == pair("2026-03-22T01:00:00Z", "2026-03-22T03:00:00Z"))
        #expect(occurrence(window, "2026-03-29T01:30:00Z") == pair("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"))
        #expect(occurrence(window, "2026-03-29T00:59:59Z") == nil)
        #expect(occurrence(window, "2026-04-05T00:00:00Z") == pair("2026-04-05T00:00:00Z", "2026-04-05T02:00:00Z"))
        #expect(occurrence(window, "2026-10-25T02:30:00Z") == pair("2026-10-25T00:00:00Z", "2026-10-25T03:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-03-23T00:00:00Z")) == utc("2026-03-29T01:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-03-29T01:00:00Z")) == utc("2026-03-29T02:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-10-24T12:00:00Z")) == utc("2026-10-25T00:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-10-25T00:00:00Z")) == utc("2026-10-25T03:00:00Z"))
    }

    @Test func aWeeklyWindowAcrossDaylightSavingInNewYork() throws {
        // 01:30 happens twice on 2026-11-01: the first (EDT, 05:30Z) opens it; 02:30 EST (07:30Z) closes it.
        let window = try People.window("Sun 01:30-02:30", "America/New_York")
        #expect(occurrence(window, "2026-11-01T06:00:00Z") == pair("2026-11-01T05:30:00Z", "2026-11-01T07:30:00Z"))
        #expect(occurrence(window, "2026-11-08T07:00:00Z") == pair("2026-11-08T06:30:00Z", "2026-11-08T07:30:00Z"))
        // 2026-03-08: 01:30 EST is 06:30Z, and 02:30 does not exist, so it ends at 03:00 EDT (07:00Z).
        #expect(occurrence(window, "2026-03-08T06:45:00Z") == pair("2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z"))
    }

    /// A window wholly inside the spring-forward gap does not happen that day.
    @Test func aWindowTheGapSwallowsIsSkipped() throws {
        let window = try People.window("Sun 02:00-02:30", "America/New_York")
        #expect(occurrence(window, "2026-03-08T07:00:00Z") == nil)
        #expect(window.nextBoundary(after: utc("2026-03-07T00:00:00Z")) == utc("2026-03-15T06:00:00Z"))
        #expect(occurrence(window, "2026-03-15T06:10:00Z") == pair("2026-03-15T06:00:00Z", "2026-03-15T06:30:00Z"))
    }

    /// `day 22:00-02:00` starts every evening and ends the next morning.
    @Test func aDailyWindowCrossesMidnight() throws {
        let window = try People.window("day 22:00-02:00", "Europe/Berlin")
        #expect(occurrence(window, "2026-12-04T21:00:00Z") == pair("2026-12-04T21:00:00Z", "2026-12-05T01:00:00Z"))
        #expect(occurrence(window, "2026-12-05T00:30:00Z") == pair("2026-12-04T21:00:00Z", "2026-12-05T01:00:00Z"))
        #expect(occurrence(window, "2026-12-05T01:00:00Z") == nil)
        #expect(occurrence(window, "2026-12-05T20:59:59Z") == nil)
        #expect(window.nextBoundary(after: utc("2026-12-04T20:00:00Z")) == utc("2026-12-04T21:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-12-04T21:00:00Z")) == utc("2026-12-05T01:00:00Z"))
        #expect(window.nextBoundary(after: utc("2026-12-05T01:00:00Z")) == utc("2026-12-05T21:00:00Z"))
        // Across the spring change: Saturday 22:00 CET to Sunday 02:00 CET... which is then 03:00 CEST, 01:00Z.
        #expect(occurrence(window, "2026-03-28T23:00:00Z") == pair("2026-03-28T21:00:00Z", "2026-03-29T01:00:00Z"))
        // And on Sunday evening, CEST.
        #expect(occurrence(window, "2026-03-29T20:00:00Z") == pair("2026-03-29T20:00:00Z", "2026-03-30T00:00:00Z"))
        // Across the autumn change 02:00 happens twice and the first (CEST) ends the window.
        #expect(occurrence(window, "2026-10-24T23:00:00Z") == pair("2026-10-24T20:00:00Z", "2026-10-25T00:00:00Z"))
        #expect(occurrence(window, "2026-10-25T00:30:00Z") == nil)
    }

    @Test func aWeeklyWindowCrossingMidnightEndsOnTheNextDay() throws {
        let window = try People.window("Sat 23:00-01:00", "UTC")
        #expect(occurrence(window, "2026-12-06T00:30:00Z") == pair("2026-12-05T23:00:00Z", "2026-12-06T01:00:00Z"))
        #expect(occurrence(window, "2026-12-06T23:30:00Z") == nil)  // Sunday
        #expect(window.nextBoundary(after: utc("2026-12-06T01:00:00Z")) == utc("2026-12-12T23:00:00Z"))
    }

    @Test func twentyFourHundredEndsAtMidnight() throws {
        let window = try People.window("Fri 22:00-24:00", "UTC")
        #expect(occurrence(window, "2026-12-04T23:59:00Z") == pair("2026-12-04T22:00:00Z", "2026-12-05T00:00:00Z"))
    }

    /// Boundaries are computed from the day the time falls on, not found by scanning from some epoch.
    @Test func farBoundariesAreComputed() throws {
        let window = try People.window("Sun 02:00-04:00", "Europe/Berlin")
        // 2096-03-25 is the last Sunday of March 2096: the window is cut short by the gap there too.
        #expect(window.nextBoundary(after: utc("2096-03-20T00:00:00Z")) == utc("2096-03-25T01:00:00Z"))
        #expect(window.nextBoundary(after: utc("2096-03-25T01:00:00Z")) == utc("2096-03-25T02:00:00Z"))
    }

    @Test(arguments: [
        ("Sun 02:00-04:00", "Sun 02:00-04:00"), ("sunday 2:00-04:00", "Sun 02:00-04:00"),
        ("day 22:00-02:00", "day 22:00-02:00"), ("Fri 00:00-24:00", "Fri 00:00-24:00"),
    ])
    func recurrencesParse(_ text: String, _ canonical: String) throws {
        #expect(try Recurrence(parsing: text).description == canonical)
    }

    @Test(arguments: [
        ("Sn 02:00-04:00", "is not a weekday"), ("Sun 02:00", "is not a time range"),
        ("Sun 25:00-04:00", "is not a time of day"),
        ("Sun 02:00-02:00", "is empty"), ("Sun", "is not a recurrence"), ("Sun 02:00-4", "is not a time of day"),
        ("day 24:00-02:00", "is not a time of day"),
    ])
    func badRecurrencesSayWhy(_ text: String, _ hint: String) {
        let error = #expect(throws: Recurrence.ParseError.self) { try Recurrence(parsing: text) }
        #expect(error?.message.contains(hint) == true, "\(error?.message ?? "")")
    }

    @Test func extremeTimesDoNotTrap() throws {
        let window = try People.window("day 22:00-02:00", "Europe/Berlin")
        for time in [
            Timestamp.distantPast, .distantFuture, Timestamp(microseconds: .min), Timestamp(microseconds: .max),
        ] {
            _ = window.occurrence(at: time)
            _ = window.nextBoundary(after: time)
        }
        #expect(window.nextBoundary(after: .distantPast) != nil)
    }
}
