import Foundation
import IncidentCore

/// When a maintenance window recurs (`every: "Sun 02:00-04:00"`, `every: "day 22:00-02:00"`): on one weekday
/// or every day, for a local time range. A range whose end is not after its start crosses midnight and ends
/// the next day.
public struct Recurrence: Sendable, Hashable, CustomStringConvertible {
    /// Nil for every day.
    public var weekday: Weekday?
    public var from: TimeOfDay
    /// May be `24:00`; at or before `from` it is on the next day.
    public var to: TimeOfDay

    public init(weekday: Weekday?, from: TimeOfDay, to: TimeOfDay) {
        self.weekday = weekday
        self.from = from
        self.to = to
    }

    /// Why an `every:` text could not be read: a sentence, ending in its punctuation.
    public struct ParseError: Error, Sendable {
        public var message: String
    }

    /// Reads `DAY HH:MM-HH:MM`, DAY a weekday (`Sun`, `sunday`) or `day`.
    public init(parsing text: String) throws(ParseError) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2 else {
            throw ParseError(
                message:
                    "'\(text)' is not a recurrence; write a weekday or 'day' and a local time range, e.g. \"Sun 02:00-04:00\" or \"day 22:00-02:00\"."
            )
        }
        let dayWord = String(words[0])
        if dayWord.lowercased() == "day" {
            weekday = nil
        } else if let day = Weekday(text: dayWord) {
            weekday = day
        } else {
            let hint = Weekday.nearest(dayWord).map { " Did you mean '\($0)'?" } ?? ""
            throw ParseError(
                message: "'\(dayWord)' is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun or day.\(hint)")
        }
        let range = words[1].split(separator: "-", omittingEmptySubsequences: false)
        guard range.count == 2 else {
            throw ParseError(message: "'\(words[1])' is not a time range; write HH:MM-HH:MM, e.g. 02:00-04:00.")
        }
        guard let from = TimeOfDay(text: String(range[0])) else {
            throw ParseError(message: "'\(range[0])' is not a time of day; write HH:MM from 00:00 to 23:59.")
        }
        guard let to = TimeOfDay(text: String(range[1]), allowingEndOfDay: true) else {
            throw ParseError(message: "'\(range[1])' is not a time of day; write HH:MM from 00:00 to 24:00.")
        }
        guard from.minutes != to.minutes else {
            throw ParseError(
                message: "the range \(words[1]) is empty (it starts where it ends); a window needs a length.")
        }
        self.from = from
        self.to = to
    }

    /// Whether the range ends on the day after it starts.
    public var crossesMidnight: Bool { to.minutes <= from.minutes }

    /// The occurrence starting on local day `day`, nil when none starts that day (another weekday, or a range
    /// a spring-forward gap swallows whole).
    func occurrence(onDay day: Int, in zone: TimeZone) -> (start: Timestamp, end: Timestamp)? {
        if let weekday, LocalDate.weekday(ofDay: day) != weekday { return nil }
        let start = zone.instant(day: day, time: from)
        let end = zone.instant(day: crossesMidnight ? day + 1 : day, time: to)
        return start < end ? (start, end) : nil
    }

    public var description: String { "\(weekday?.abbreviation ?? "day") \(from)-\(to)" }
}
