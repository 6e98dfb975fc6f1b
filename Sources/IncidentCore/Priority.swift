/// ITIL priority, P1 (most urgent) to P5. Ordered so that `P1 > P2`: "higher" means more urgent.
public enum Priority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"
    case p4 = "P4"
    case p5 = "P5"

    public var number: Int { Int(rawValue.dropFirst())! }

    /// `P2 > P3`: the more urgent priority compares greater.
    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.number > rhs.number }
}

/// Impact × urgency → priority.
public struct PriorityMatrix: Sendable, Hashable {
    var table: [Impact: [Urgency: Priority]]

    public init(_ table: [Impact: [Urgency: Priority]]) { self.table = table }

    /// The ITIL default: P1 for high impact and high urgency down to P5 for low and low.
    public static let itil = PriorityMatrix([
        .high: [.high: .p1, .medium: .p2, .low: .p3],
        .medium: [.high: .p2, .medium: .p3, .low: .p4],
        .low: [.high: .p3, .medium: .p4, .low: .p5],
    ])

    public func priority(impact: Impact, urgency: Urgency) -> Priority {
        table[impact]?[urgency] ?? PriorityMatrix.itil.table[impact]![urgency]!
    }
}
