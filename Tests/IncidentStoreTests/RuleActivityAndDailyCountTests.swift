import Foundation
import IncidentCore
import IncidentStore
import Testing

/// The queries behind the console's rules and reports pages (SPEC §14).
@Suite struct RuleActivityAndDailyCountTests {
    /// t(0) is 2027-01-15T08:00:00Z.
    static let day: Int64 = 86_400

    func incident(_ number: Int, rule: String, kind: IncidentKind = .outage, opened: Int64, alerts: Int, events: Int)
        -> Incident
    {
        var incident = bareIncident(number, openedAt: t(opened))
        incident.rule = rule
        incident.kind = kind
        incident.alerts = alerts
        incident.events = events
        return incident
    }

    @Test(arguments: Backend.allCases) func activityCountsTheIncidentsOfEachRuleOpenedInThePeriod(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(
                StoreBatch(
                    incidents: [
                        incident(1, rule: "host-down", opened: 0, alerts: 2, events: 7),
                        incident(2, rule: "host-down", opened: 500, alerts: 1, events: 3),
                        incident(3, rule: "disk-full", opened: 100, alerts: 1, events: 1),
                        // Before the period: left out, also of its rule's figures.
                        incident(4, rule: "disk-full", opened: -10, alerts: 9, events: 90),
                        incident(5, rule: "old-rule", opened: -20, alerts: 1, events: 1),
                    ], at: t(600)))
            let activity = try await store.ruleActivity(since: t(0))
            #expect(
                activity == [
                    RuleActivity(rule: "disk-full", incidents: 1, events: 1, alerts: 1, lastOpenedAt: t(100)),
                    RuleActivity(rule: "host-down", incidents: 2, events: 10, alerts: 3, lastOpenedAt: t(500)),
                ])
            #expect(try await store.ruleActivity(since: t(-100)).map(\.rule) == ["disk-full", "host-down", "old-rule"])
            #expect(try await store.ruleActivity(since: t(501)).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func activityOfAnEmptyStoreIsEmpty(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let activity = try await store.ruleActivity(since: .zero)
            let rows = try await store.dailyCounts(since: .zero, until: t(0))
            #expect(activity.isEmpty)
            #expect(rows.isEmpty)
        }
    }

    @Test func dailyCountsGroupByUTCDayAndKindWithinTheHalfOpenPeriod() async throws {
        // t(0) is 08:00 UTC, so t(16h - 1s) is the last second of 2027-01-15 and t(16h) the first of the 16th.
        let endOfDay: Int64 = 16 * 3600
        try await withStore { store, _ in
            _ = try await store.commit(
                StoreBatch(
                    incidents: [
                        incident(1, rule: "a", kind: .outage, opened: 0, alerts: 1, events: 1),
                        incident(2, rule: "a", kind: .outage, opened: endOfDay - 1, alerts: 1, events: 1),
                        incident(3, rule: "b", kind: .security, opened: 60, alerts: 1, events: 1),
                        incident(4, rule: "a", kind: .outage, opened: endOfDay, alerts: 1, events: 1),
                        incident(5, rule: "c", kind: .userIssue, opened: endOfDay + 2 * Self.day, alerts: 1, events: 1),
                        // At `until`: not counted.
                        incident(6, rule: "c", kind: .userIssue, opened: 10 * Self.day, alerts: 1, events: 1),
                        // Before `since`.
                        incident(7, rule: "c", kind: .userIssue, opened: -1, alerts: 1, events: 1),
                    ], at: t(0)))
            let rows = try await store.dailyCounts(since: t(0), until: t(10 * Self.day))
            #expect(
                rows == [
                    DailyCount(day: "2027-01-15", kind: .outage, count: 2),
                    DailyCount(day: "2027-01-15", kind: .security, count: 1),
                    DailyCount(day: "2027-01-16", kind: .outage, count: 1),
                    DailyCount(day: "2027-01-18", kind: .userIssue, count: 1),
                ])
        }
    }

    @Test(arguments: Backend.allCases) func timesBefore1970LandOnTheirOwnDay(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var early = bareIncident(1, openedAt: Timestamp(microseconds: -1))
            early.kind = .outage
            _ = try await store.commit(StoreBatch(incidents: [early], at: t(0)))
            let rows = try await store.dailyCounts(since: .distantPast, until: t(0))
            #expect(rows == [DailyCount(day: "1969-12-31", kind: .outage, count: 1)])
        }
    }
}
