import IncidentCore
import IncidentEngine
import Testing

@Suite struct GroupIngestTests {
    static let rules = """
        rules:
          - name: by-host
            match: ['alertname=~".+"']
            kind: degradation
            group_by: [host]
        """

    @Test func groupsLeaveTheEngineAsSubmissionsOneByOneDoAndNameTheirOwnIncidents() throws {
        let groups: [[Event]] = [
            [event(["alertname": "A", "host": "h1"], 0)],
            [event(["alertname": "B", "host": "h2"], 1), event(["alertname": "C", "host": "h1"], 1)],
            [event(["alertname": "A", "host": "h1"], 2)],
            [event(["alertname": "A", "host": "h1"], 3, status: .resolved)],
        ]
        var grouped = CorrelationEngine(ruleSet: compile(Self.rules))
        let (effects, touched) = grouped.ingest(groups: groups)
        #expect(touched == [[1], [2, 1], [1], [1]])
        var single = CorrelationEngine(ruleSet: compile(Self.rules))
        var singleEffects: [Effect] = []
        for group in groups { singleEffects += single.ingest(group) }
        #expect(try grouped.exportState().canonicalJSON() == single.exportState().canonicalJSON())
        // The same timeline, pages and final snapshots; grouped ones snapshot each incident once.
        func lines(_ effects: [Effect]) -> [Effect] {
            effects.filter { if case .timeline = $0 { true } else if case .notify = $0 { true } else { false } }
        }
        #expect(lines(effects) == lines(singleEffects))
        let snapshots = effects.compactMap(\.incidentSnapshot)
        #expect(snapshots.map(\.number).sorted() == [1, 2])
        #expect(snapshots.first { $0.number == 1 } == single.snapshot(1))
    }
}
