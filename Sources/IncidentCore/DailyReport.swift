/// Incidents opened per UTC day and kind over a period, every day present (zero when none opened): what the
/// console's "incidents per day by kind" chart draws and `GET /api/v1/report/daily` returns.
public struct DailyReport: Sendable, Hashable {
    /// The most days a report covers; an older `since` is moved forward to keep it to this many.
    public static let maximumDays = 366

    /// The first instant counted: midnight UTC of the first day.
    public var since: Timestamp
    /// The end of the period (not counted): usually now.
    public var until: Timestamp
    /// Every UTC day of the period, oldest first, `YYYY-MM-DD`.
    public var days: [String]
    /// One series per kind, in `IncidentKind.allCases` order, each with one count per day.
    public var series: [Series]

    /// The counts of one kind, one per day of `days`.
    public struct Series: Sendable, Hashable {
        public var kind: IncidentKind
        public var counts: [Int]

        public init(kind: IncidentKind, counts: [Int]) {
            self.kind = kind
            self.counts = counts
        }
    }

    /// The period a report of `since...until` covers: `since` moved back to its UTC midnight, so that every day
    /// is whole, and forward when it would make more than `maximumDays` days. Pass it to the store's
    /// `dailyCounts(since:until:)`.
    public static func period(since: Timestamp, until: Timestamp) -> (since: Timestamp, until: Timestamp) {
        let last = Self.dayNumber(max(since, until) - .microseconds(1))
        let first = max(Self.dayNumber(min(since, until)), last - Int64(Self.maximumDays) + 1)
        return (Timestamp(microseconds: first * Self.microsecondsPerDay), max(since, until))
    }

    /// Builds the report from the store's rows for `period(since:until:)`; rows of days outside it are ignored.
    public init(counts: [DailyCount], since: Timestamp, until: Timestamp) {
        let (start, end) = Self.period(since: since, until: until)
        self.since = start
        self.until = end
        let first = Self.dayNumber(start)
        let last = max(first, Self.dayNumber(end - .microseconds(1)))
        let days = (first...last).map(Self.dayText)
        let index = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        var series = IncidentKind.allCases.map { Series(kind: $0, counts: Array(repeating: 0, count: days.count)) }
        for row in counts {
            guard let i = index[row.day], let k = IncidentKind.allCases.firstIndex(of: row.kind) else { continue }
            series[k].counts[i] += row.count
        }
        self.days = days
        self.series = series
    }

    /// The total per day over every kind.
    public var totals: [Int] {
        days.indices.map { i in series.reduce(0) { $0 + $1.counts[i] } }
    }

    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of the UTC day holding `time` (floored, so times before 1970 work too).
    public static func dayNumber(_ time: Timestamp) -> Int64 {
        let (q, r) = time.microseconds.quotientAndRemainder(dividingBy: microsecondsPerDay)
        return r < 0 ? q - 1 : q
    }

    /// `YYYY-MM-DD` of a day number.
    public static func dayText(_ day: Int64) -> String {
        String(Timestamp(microseconds: day * microsecondsPerDay).rfc3339.prefix(10))
    }
}
