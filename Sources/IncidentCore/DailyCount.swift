/// How many incidents of one kind opened on one UTC day: a row of the daily report (SPEC §14 charts).
public struct DailyCount: Sendable, Hashable {
    /// The UTC day, `YYYY-MM-DD`.
    public var day: String
    public var kind: IncidentKind
    public var count: Int

    public init(day: String, kind: IncidentKind, count: Int) {
        self.day = day
        self.kind = kind
        self.count = count
    }
}
