/// One line of `incidentctl report`: the incidents of one kind and priority opened in the period.
public struct ReportLine: Sendable, Hashable {
    public var kind: IncidentKind
    public var priority: Priority
    public var count: Int
    /// Mean seconds from opening to acknowledgement over those acknowledged; nil when none was.
    public var meanTimeToAcknowledge: Double?
    /// Mean seconds from opening to resolution over those resolved; nil when none was.
    public var meanTimeToResolve: Double?

    public init(
        kind: IncidentKind, priority: Priority, count: Int, meanTimeToAcknowledge: Double?, meanTimeToResolve: Double?
    ) {
        self.kind = kind
        self.priority = priority
        self.count = count
        self.meanTimeToAcknowledge = meanTimeToAcknowledge
        self.meanTimeToResolve = meanTimeToResolve
    }
}
