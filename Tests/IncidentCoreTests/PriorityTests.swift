import IncidentCore
import Testing

@Suite("Priority, impact and urgency")
struct PriorityTests {
    @Test(
        "the ITIL default matrix, all nine cells",
        arguments: [
            (Impact.high, Urgency.high, Priority.p1),
            (.high, .medium, .p2),
            (.high, .low, .p3),
            (.medium, .high, .p2),
            (.medium, .medium, .p3),
            (.medium, .low, .p4),
            (.low, .high, .p3),
            (.low, .medium, .p4),
            (.low, .low, .p5),
        ])
    func itilMatrix(impact: Impact, urgency: Urgency, priority: Priority) {
        #expect(PriorityMatrix.itil.priority(impact: impact, urgency: urgency) == priority)
    }

    @Test("a custom matrix wins; a cell it leaves out falls back to ITIL")
    func customMatrix() {
        let matrix = PriorityMatrix([.low: [.low: .p4]])
        #expect(matrix.priority(impact: .low, urgency: .low) == .p4)
        #expect(matrix.priority(impact: .low, urgency: .high) == .p3)
        #expect(matrix.priority(impact: .high, urgency: .high) == .p1)
    }

    @Test("P1 is the highest priority: more urgent compares greater")
    func ordering() {
        #expect(Priority.p1 > .p2)
        #expect(Priority.p2 > .p3)
        #expect(Priority.p4 < .p3)
        #expect(!(Priority.p3 < .p3))
        #expect(Priority.allCases.max() == .p1)
        #expect(Priority.allCases.min() == .p5)
        #expect(Priority.allCases.sorted(by: >) == [.p1, .p2, .p3, .p4, .p5])
        #expect(max(Priority.p3, .p2) == .p2, "priority only rises: max keeps the more urgent one")
    }

    @Test("number and text", arguments: zip(Priority.allCases, 1...5))
    func number(priority: Priority, number: Int) {
        #expect(priority.number == number)
        #expect(priority.rawValue == "P\(number)")
        #expect(Priority(rawValue: "P\(number)") == priority)
    }

    @Test("impact and urgency order low < medium < high")
    func impactUrgencyOrdering() {
        #expect(Impact.low < .medium)
        #expect(Impact.medium < .high)
        #expect(Impact.allCases.max() == .high)
        #expect(Urgency.low < .medium)
        #expect(Urgency.medium < .high)
        #expect(Urgency.allCases.min() == .low)
    }

    @Test(
        "urgency from the severity label: critical → high, error/warning → medium, else low",
        arguments: [
            ("critical", Urgency.high), ("CRITICAL", .high), ("crit", .high), ("emergency", .high), ("emerg", .high),
            ("alert", .high), ("page", .high), ("fatal", .high),
            ("error", .medium), ("Error", .medium), ("err", .medium), ("warning", .medium), ("warn", .medium),
            ("major", .medium),
            ("info", .low), ("notice", .low), ("debug", .low), ("none", .low), ("", .low), ("criticalish", .low),
        ] as [(String?, Urgency)])
    func urgencyFromSeverity(severity: String?, urgency: Urgency) {
        #expect(Urgency(severity: severity) == urgency)
    }

    @Test("no severity label means low urgency")
    func urgencyWithoutSeverity() {
        #expect(Urgency(severity: nil) == .low)
    }

    @Test("incident kinds use the operator spelling")
    func kindNames() {
        #expect(IncidentKind.allCases.map(\.rawValue) == ["outage", "degradation", "security", "user_issue"])
    }
}
