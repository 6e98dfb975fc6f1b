import Foundation
import IncidentCore
import Testing

@testable import IncidentRules

/// Helpers for the people, schedule and maintenance tests: exact UTC instants and rule text held in memory.
enum People {
    /// An instant written in RFC 3339 (`2026-03-29T01:00:00Z`); the tests assert exact UTC instants.
    static func utc(_ text: String) -> Timestamp {
        guard let time = Timestamp(rfc3339: text) else { fatalError("bad test time \(text)") }
        return time
    }

    static func load(_ text: String, notifiers: Set<String>? = ["oncall", "alice-phone", "bob-phone", "carol-phone"])
        -> RuleSetLoader.Result
    {
        RuleSetLoader(knownNotifiers: notifiers).load(text: text, file: "people.yaml")
    }

    /// The 1-based line and column where `needle` first starts in `text` (after `line` when given).
    static func position(of needle: String, in text: String, fromLine: Int = 1) -> (line: Int, column: Int) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index + 1 >= fromLine {
            if let range = line.range(of: needle) {
                return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1)
            }
        }
        fatalError("'\(needle)' is not in the test text")
    }

    static func schedule(
        _ zone: String, users: [String] = ["a", "b", "c"], shift: Duration, handoff: String, start: String,
        overrides: [OnCallSchedule.Override] = []
    ) -> OnCallSchedule {
        let words = handoff.split(separator: " ").map(String.init)
        let rotation = OnCallSchedule.Rotation(
            users: users, shift: shift, handoffDay: words.count == 2 ? Weekday(text: words[0]) : nil,
            handoffTime: TimeOfDay(text: words.last!)!, start: LocalDate(text: start)!)
        return OnCallSchedule(
            name: "s", timezone: zone, rotation: rotation, overrides: overrides,
            location: SourceLocation(file: "t", line: 1, column: 1))
    }

    static func window(_ every: String, _ zone: String) throws -> MaintenanceWindow {
        MaintenanceWindow(
            name: "w", matchers: try Matcher.parseList(#"host=~"db.*""#), every: try Recurrence(parsing: every),
            timezone: zone, location: SourceLocation(file: "t", line: 1, column: 1))
    }
}

extension OnCallShift {
    init(_ user: String, _ start: String, _ end: String, override: Bool = false) {
        self.init(user: user, start: People.utc(start), end: People.utc(end), isOverride: override)
    }
}
