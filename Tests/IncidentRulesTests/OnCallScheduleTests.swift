import Foundation
import IncidentCore
import Testing

@testable import IncidentRules

/// `OnCallSchedule.shift(at:)` and `nextShift(after:)`: handoffs in the schedule's zone, across daylight-saving
/// changes, with overrides.
@Suite struct OnCallScheduleTests {
    typealias Shift = OnCallShift
    let utc = People.utc

    /// SPEC §12's example: alice, bob, carol weekly from Monday 2026-11-30 09:00 Berlin; dave over Christmas.
    var primary: OnCallSchedule {
        People.schedule(
            "Europe/Berlin", users: ["alice", "bob", "carol"], shift: .seconds(7 * 86_400), handoff: "Mon 09:00",
            start: "2026-11-30",
            overrides: [
                .init(user: "dave", start: utc("2026-12-23T23:00:00Z"), end: utc("2026-12-26T23:00:00Z"))
            ])
    }

    @Test func usersRotateInListOrderFromTheFirstHandoff() {
        #expect(
            primary.shift(at: utc("2026-11-30T08:00:00Z"))
                == Shift("alice", "2026-11-30T08:00:00Z", "2026-12-07T08:00:00Z"))
        #expect(primary.shift(at: utc("2026-12-07T07:59:59Z"))?.user == "alice")
        #expect(
            primary.shift(at: utc("2026-12-07T08:00:00Z"))
                == Shift("bob", "2026-12-07T08:00:00Z", "2026-12-14T08:00:00Z"))
        #expect(
            primary.shift(at: utc("2026-12-16T00:00:00Z"))
                == Shift("carol", "2026-12-14T08:00:00Z", "2026-12-21T08:00:00Z"))
        // The fourth shift is alice's again; dave's override cuts it in two.
        #expect(
            primary.shift(at: utc("2026-12-22T12:00:00Z"))
                == Shift("alice", "2026-12-21T08:00:00Z", "2026-12-23T23:00:00Z"))
        #expect(
            primary.shift(at: utc("2026-12-25T00:00:00Z"))
                == Shift("dave", "2026-12-23T23:00:00Z", "2026-12-26T23:00:00Z", override: true))
        #expect(
            primary.shift(at: utc("2026-12-27T00:00:00Z"))
                == Shift("alice", "2026-12-26T23:00:00Z", "2026-12-28T08:00:00Z"))
        #expect(primary.shift(at: utc("2026-12-28T08:00:00Z"))?.user == "bob")
    }

    @Test func beforeTheRotationStartsNobodyIsOnCall() {
        #expect(primary.shift(at: utc("2026-11-30T07:59:59Z")) == nil)
        #expect(primary.shift(at: utc("2020-01-01T00:00:00Z")) == nil)
        #expect(
            primary.nextShift(after: utc("2026-11-01T00:00:00Z"))
                == Shift("alice", "2026-11-30T08:00:00Z", "2026-12-07T08:00:00Z"))
    }

    @Test func nextShiftIsTheOneAfterTheNextHandoff() {
        #expect(primary.nextShift(after: utc("2026-12-01T00:00:00Z"))?.user == "bob")
        #expect(
            primary.nextShift(after: utc("2026-12-22T12:00:00Z"))
                == Shift("dave", "2026-12-23T23:00:00Z", "2026-12-26T23:00:00Z", override: true))
        #expect(
            primary.nextShift(after: utc("2026-12-24T12:00:00Z"))
                == Shift("alice", "2026-12-26T23:00:00Z", "2026-12-28T08:00:00Z"))
    }

    @Test func theHandoffWeekdayIsTheFirstOnOrAfterStart() {
        // 2026-12-02 is a Wednesday: the first Monday 09:00 on or after it is 2026-12-07.
        let schedule = People.schedule(
            "Europe/Berlin", shift: .seconds(7 * 86_400), handoff: "Mon 09:00", start: "2026-12-02")
        #expect(schedule.shift(at: utc("2026-12-06T00:00:00Z")) == nil)
        #expect(
            schedule.shift(at: utc("2026-12-07T08:00:00Z"))
                == Shift("a", "2026-12-07T08:00:00Z", "2026-12-14T08:00:00Z"))
    }

    struct DSTCase: Sendable, CustomTestStringConvertible {
        var zone: String
        var start: String
        var first: Shift
        var second: Shift
        var hours: Int
        var testDescription: String { "\(zone) week from \(start)" }
    }

    /// A weekly shift over a daylight-saving change is 167 or 169 hours: the handoff stays at 09:00 local.
    @Test(arguments: [
        DSTCase(
            zone: "Europe/Berlin", start: "2026-03-23",
            first: Shift("a", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"),
            second: Shift("b", "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"), hours: 167),
        DSTCase(
            zone: "Europe/Berlin", start: "2026-10-19",
            first: Shift("a", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"),
            second: Shift("b", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"), hours: 169),
        DSTCase(
            zone: "America/New_York", start: "2026-03-02",
            first: Shift("a", "2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z"),
            second: Shift("b", "2026-03-09T13:00:00Z", "2026-03-16T13:00:00Z"), hours: 167),
        DSTCase(
            zone: "America/New_York", start: "2026-10-26",
            first: Shift("a", "2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z"),
            second: Shift("b", "2026-11-02T14:00:00Z", "2026-11-09T14:00:00Z"), hours: 169),
    ])
    func aWeeklyShiftKeepsItsLocalHandoffAcrossDaylightSaving(_ c: DSTCase) {
        let schedule = People.schedule(
            c.zone, users: ["a", "b"], shift: .seconds(7 * 86_400), handoff: "Mon 09:00", start: c.start)
        #expect(schedule.shift(at: c.first.start) == c.first)
        #expect(schedule.shift(at: c.first.end - .microseconds(1)) == c.first)
        #expect(schedule.shift(at: c.second.start) == c.second)
        #expect(schedule.nextShift(after: c.first.start) == c.second)
        #expect(c.first.end - c.first.start == .seconds(c.hours * 3600))
    }

    /// 02:30 does not exist on 2026-03-29 in Berlin (02:00 CET jumps to 03:00 CEST): that handoff moves to the
    /// first instant after the gap, 03:00 CEST.
    @Test func aHandoffInTheSpringForwardGapMovesToTheEndOfTheGap() {
        let schedule = People.schedule("Europe/Berlin", shift: .seconds(86_400), handoff: "02:30", start: "2026-03-28")
        #expect(
            schedule.shift(at: utc("2026-03-28T12:00:00Z"))
                == Shift("a", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z"))
        #expect(
            schedule.shift(at: utc("2026-03-29T01:00:00Z"))
                == Shift("b", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"))
        #expect(schedule.shift(at: utc("2026-03-30T00:30:00Z"))?.user == "c")

        let newYork = People.schedule(
            "America/New_York", shift: .seconds(86_400), handoff: "02:30", start: "2026-03-07")
        #expect(
            newYork.shift(at: utc("2026-03-08T06:59:59Z")) == Shift("a", "2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z")
        )
        #expect(
            newYork.shift(at: utc("2026-03-08T07:00:00Z")) == Shift("b", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z")
        )
    }

    /// 02:30 happens twice on 2026-10-25 in Berlin: the handoff takes the first (CEST), so that day's shift is
    /// 24 hours and the next one 25.
    @Test func anAmbiguousHandoffTakesTheFirstOccurrence() {
        let schedule = People.schedule("Europe/Berlin", shift: .seconds(86_400), handoff: "02:30", start: "2026-10-24")
        #expect(
            schedule.shift(at: utc("2026-10-24T12:00:00Z"))
                == Shift("a", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z"))
        #expect(
            schedule.shift(at: utc("2026-10-25T01:30:00Z"))
                == Shift("b", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"))
    }

    /// Shifts of less than a day are absolute durations: twelve hours are twelve hours, DST or not.
    @Test func subDayShiftsAreAbsolute() {
        let schedule = People.schedule(
            "Europe/Berlin", users: ["a", "b"], shift: .seconds(12 * 3600), handoff: "09:00", start: "2026-03-28")
        #expect(
            schedule.shift(at: utc("2026-03-28T08:00:00Z"))
                == Shift("a", "2026-03-28T08:00:00Z", "2026-03-28T20:00:00Z"))
        #expect(
            schedule.shift(at: utc("2026-03-29T07:00:00Z"))
                == Shift("b", "2026-03-28T20:00:00Z", "2026-03-29T08:00:00Z"))
        #expect(
            schedule.shift(at: utc("2026-03-29T08:00:00Z"))
                == Shift("a", "2026-03-29T08:00:00Z", "2026-03-29T20:00:00Z"))
    }

    /// Shift k of a weekly rotation, computed directly for a time years on, starts on a Monday 09:00 local
    /// (checked with Foundation's Calendar) and agrees with walking the shifts one by one.
    @Test func farShiftsAreComputedNotCounted() throws {
        let schedule = People.schedule(
            "Europe/Berlin", users: ["a", "b", "c"], shift: .seconds(7 * 86_400), handoff: "Mon 09:00",
            start: "2026-11-30")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Berlin"))
        var walked = try #require(schedule.shift(at: utc("2026-11-30T08:00:00Z")))
        var count = 0
        while walked.end < utc("2030-06-01T00:00:00Z") {
            let next = try #require(schedule.nextShift(after: walked.start))
            #expect(next.start == walked.end)
            walked = next
            count += 1
            let local = calendar.dateComponents(
                [.weekday, .hour, .minute], from: Date(timeIntervalSince1970: walked.start.seconds))
            #expect(local.weekday == 2 && local.hour == 9 && local.minute == 0, "\(walked)")
        }
        #expect(walked.user == ["a", "b", "c"][count % 3])
        #expect(schedule.shift(at: walked.start + .seconds(3600)) == walked)
        let far = try #require(schedule.shift(at: utc("2096-02-29T12:00:00Z")))
        #expect(far.start <= utc("2096-02-29T12:00:00Z") && utc("2096-02-29T12:00:00Z") < far.end)
        let local = calendar.dateComponents([.weekday, .hour], from: Date(timeIntervalSince1970: far.start.seconds))
        #expect(local.weekday == 2 && local.hour == 9)
    }

    // MARK: overrides

    /// Rotation `a` all day from 09:00 UTC; overrides on the same day.
    func withOverrides(_ overrides: [(String, String, String)]) -> OnCallSchedule {
        People.schedule(
            "UTC", users: ["a"], shift: .seconds(86_400), handoff: "09:00", start: "2026-12-01",
            overrides: overrides.map {
                .init(user: $0.0, start: utc("2026-12-01T\($0.1):00Z"), end: utc("2026-12-01T\($0.2):00Z"))
            })
    }

    @Test func ofOverlappingOverridesTheLaterListedWins() {
        let schedule = withOverrides([("x", "10:00", "14:00"), ("y", "12:00", "16:00")])
        #expect(
            schedule.shift(at: utc("2026-12-01T09:30:00Z"))
                == Shift("a", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"))
        #expect(
            schedule.shift(at: utc("2026-12-01T11:00:00Z"))
                == Shift("x", "2026-12-01T10:00:00Z", "2026-12-01T12:00:00Z", override: true))
        #expect(
            schedule.shift(at: utc("2026-12-01T13:00:00Z"))
                == Shift("y", "2026-12-01T12:00:00Z", "2026-12-01T16:00:00Z", override: true))
        #expect(
            schedule.shift(at: utc("2026-12-01T16:30:00Z"))
                == Shift("a", "2026-12-01T16:00:00Z", "2026-12-02T09:00:00Z"))

        let reversed = withOverrides([("y", "12:00", "16:00"), ("x", "10:00", "14:00")])
        #expect(
            reversed.shift(at: utc("2026-12-01T13:00:00Z"))
                == Shift("x", "2026-12-01T10:00:00Z", "2026-12-01T14:00:00Z", override: true))
        #expect(
            reversed.shift(at: utc("2026-12-01T15:00:00Z"))
                == Shift("y", "2026-12-01T14:00:00Z", "2026-12-01T16:00:00Z", override: true))
    }

    @Test func aLaterOverrideInsideAnEarlierOneSplitsIt() {
        let schedule = withOverrides([("x", "10:00", "16:00"), ("y", "12:00", "13:00")])
        var shifts: [Shift] = []
        var time = utc("2026-12-01T09:30:00Z")
        while let next = schedule.nextShift(after: time), next.start < utc("2026-12-02T09:00:00Z") {
            shifts.append(next)
            time = next.start
        }
        #expect(
            shifts == [
                Shift("x", "2026-12-01T10:00:00Z", "2026-12-01T12:00:00Z", override: true),
                Shift("y", "2026-12-01T12:00:00Z", "2026-12-01T13:00:00Z", override: true),
                Shift("x", "2026-12-01T13:00:00Z", "2026-12-01T16:00:00Z", override: true),
                Shift("a", "2026-12-01T16:00:00Z", "2026-12-02T09:00:00Z"),
            ])
    }

    @Test func anOverrideBeforeTheRotationStartsStillApplies() {
        let schedule = People.schedule(
            "UTC", users: ["a"], shift: .seconds(86_400), handoff: "09:00", start: "2026-12-10",
            overrides: [.init(user: "z", start: utc("2026-12-01T00:00:00Z"), end: utc("2026-12-02T00:00:00Z"))])
        #expect(
            schedule.shift(at: utc("2026-12-01T12:00:00Z"))
                == Shift("z", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", override: true))
        #expect(schedule.shift(at: utc("2026-12-05T00:00:00Z")) == nil)
        #expect(
            schedule.nextShift(after: utc("2026-12-01T12:00:00Z"))
                == Shift("a", "2026-12-10T09:00:00Z", "2026-12-11T09:00:00Z"))
        #expect(schedule.nextShift(after: utc("2026-11-01T00:00:00Z"))?.user == "z")
    }

    /// The engine may ask about any instant; the far ends of time must answer, not trap.
    @Test func extremeTimesDoNotTrap() {
        for shift in [Duration.seconds(7 * 86_400), .seconds(12 * 3600)] {
            let schedule = People.schedule("Europe/Berlin", shift: shift, handoff: "Mon 09:00", start: "2026-11-30")
            #expect(schedule.shift(at: .distantPast) == nil)
            #expect(schedule.shift(at: Timestamp(microseconds: .min)) == nil)
            #expect(schedule.shift(at: .distantFuture) != nil)
            #expect(schedule.shift(at: Timestamp(microseconds: .max)) != nil)
            #expect(schedule.nextShift(after: .distantPast)?.start == utc("2026-11-30T08:00:00Z"))
            _ = schedule.nextShift(after: .distantFuture)
        }
    }
}
