import IncidentCore
import IncidentEngine
import Testing

/// An alert sent again with nothing changed but its activity (last seen, counts, annotations) is reported as
/// `.alertActivity` and `.incidentActivity` (the store writes just those); anything more in full; each alert and
/// incident once per call.
@Suite struct ActivityEffectTests {
    /// One incident per host.
    static let rules = GroupIngestTests.rules
    static let disk: Labels = ["alertname": "DiskFull", "host": "db1"]

    struct Kinds {
        var alerts: [AlertSnapshot] = []
        var seen: [AlertSnapshot] = []
        var incidents: [Incident] = []
        var counted: [Incident] = []
    }

    /// The effects' snapshots by kind: full alerts, activity alerts, full incidents, activity incidents.
    func kinds(_ effects: [Effect]) -> Kinds {
        var out = Kinds()
        for effect in effects {
            switch effect {
            case .alert(let a): out.alerts.append(a)
            case .alertActivity(let a): out.seen.append(a)
            case .incident(let i): out.incidents.append(i)
            case .incidentActivity(let i): out.counted.append(i)
            default: break
            }
        }
        return out
    }

    @Test func aRepeatWithNothingNewIsActivityWithTheNewCounts() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        let first = kinds(engine.ingest(event(Self.disk, 0, annotations: ["summary": "full"])))
        #expect(first.alerts.count == 1 && first.incidents.count == 1)
        #expect(first.seen.isEmpty && first.counted.isEmpty)

        _ = engine.advance(to: at(30))
        let again = kinds(engine.ingest(event(Self.disk, 30, annotations: ["summary": "full"])))
        #expect(again.alerts.isEmpty && again.incidents.isEmpty)
        #expect(again.seen.count == 1 && again.counted.count == 1)
        #expect(again.seen.first?.events == 2)
        #expect(again.seen.first?.lastSeen == at(30))
        #expect(again.seen.first?.annotations == ["summary": "full"])
        #expect(again.counted.first?.events == 2)
        // The whole snapshot, as the engine holds it.
        #expect(again.counted.first == engine.snapshot(1))
        #expect(again.seen.first == engine.alerts(of: 1).first)

        // No annotations at all is a repeat too (they are kept, not cleared).
        let bare = kinds(engine.ingest(event(Self.disk, 31)))
        #expect(bare.alerts.isEmpty && bare.seen.first?.events == 3)
    }

    @Test func newAnnotationsAreActivityAResolveAndARefireAreBothInFull() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        _ = engine.ingest(event(Self.disk, 0, annotations: ["summary": "full"]))
        let annotated = kinds(engine.ingest(event(Self.disk, 10, annotations: ["summary": "99% full"])))
        #expect(annotated.alerts.isEmpty)
        #expect(annotated.seen.first?.annotations == ["summary": "99% full"])
        #expect(annotated.seen.first == engine.alerts(of: 1).first)
        // Its incident holds no annotations: only its count changed.
        #expect(annotated.incidents.isEmpty && annotated.counted.first?.events == 2)
        #expect(annotated.counted.first == engine.snapshot(1))

        let resolved = kinds(engine.ingest(event(Self.disk, 20, status: .resolved)))
        #expect(resolved.alerts.first?.status == .resolved)
        #expect(resolved.seen.isEmpty)
        #expect(resolved.incidents.first?.state == .resolved)

        // A resolve repeated changes nothing but the counts.
        let repeated = kinds(engine.ingest(event(Self.disk, 21, status: .resolved)))
        #expect(repeated.alerts.isEmpty && repeated.seen.first?.status == .resolved)

        let refired = kinds(engine.ingest(event(Self.disk, 22)))
        #expect(refired.alerts.first?.status == .firing)
        #expect(refired.seen.isEmpty)
    }

    @Test func anAlertChangedAndRepeatedInOneCallIsReportedOnceInFull() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        let other: Labels = ["alertname": "CPU", "host": "db1"]
        let (effects, _) = engine.ingest(groups: [
            [event(Self.disk, 0), event(Self.disk, 1)],
            [event(other, 2), event(Self.disk, 3)],
        ])
        let all = kinds(effects)
        #expect(all.alerts.map(\.labels).sorted { $0.description < $1.description } == [other, Self.disk])
        #expect(all.alerts.first { $0.labels == Self.disk }?.events == 3)
        #expect(all.seen.isEmpty, "\(all.seen)")
        #expect(all.incidents.count == 1 && all.incidents.first?.events == 4)
        #expect(all.counted.isEmpty)
    }

    @Test func anIncidentIsReportedInFullWhenAnotherOfItsAlertsChangesItInTheSameCall() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        _ = engine.ingest(event(Self.disk, 0, annotations: ["summary": "full"]))
        let other: Labels = ["alertname": "CPU", "host": "db1"]
        // New annotations first (activity), then a new alert in the same incident (in full).
        let (effects, _) = engine.ingest(groups: [
            [event(Self.disk, 1, annotations: ["summary": "99% full"])], [event(other, 2)],
        ])
        let all = kinds(effects)
        #expect(all.alerts.map(\.labels) == [other])
        #expect(all.seen.map(\.annotations) == [["summary": "99% full"]])
        #expect(all.incidents.map(\.alerts) == [2] && all.incidents.first?.events == 3)
        #expect(all.counted.isEmpty)
    }

    @Test func anIncidentChangedByAnotherAlertIsReportedInFullEvenWhenItsRepeatComesFirst() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        _ = engine.ingest(event(Self.disk, 0))
        let other: Labels = ["alertname": "CPU", "host": "db1"]
        let (effects, _) = engine.ingest(groups: [[event(Self.disk, 1)], [event(other, 2)]])
        let all = kinds(effects)
        #expect(all.seen.map(\.labels) == [Self.disk])
        #expect(all.alerts.map(\.labels) == [other])
        #expect(all.incidents.map(\.alerts) == [2])
        #expect(all.counted.isEmpty)
    }

    /// Each submission's incidents come back in the order its events first touched them, once each: a short
    /// submission and one of 60 events over 25 incidents (past the size at which the list is kept with a set).
    @Test func eachSubmissionsIncidentsAreInFirstTouchOrderOnce() {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        let hosts = (0..<25).map { "h\($0)" }
        // Opened in this order: incident n + 1 is hosts[n].
        _ = engine.ingest(hosts.enumerated().map { event(["alertname": "DiskFull", "host": $1], Double($0)) })
        let order = [7, 3, 7, 24, 0] + (0..<55).map { ($0 * 11) % 25 }
        let long = order.enumerated().map { event(["alertname": "DiskFull", "host": hosts[$1]], 100 + Double($0)) }
        let short = [2, 2, 9, 2].map { event(["alertname": "DiskFull", "host": hosts[$0]], 200) }
        let (_, touched) = engine.ingest(groups: [short, long])
        var expected: [Int] = []
        for n in order where !expected.contains(n + 1) { expected.append(n + 1) }
        #expect(touched.count == 2)
        #expect(touched[0] == [3, 10])
        #expect(touched[1] == expected)
        #expect(expected.count == 25 && expected.prefix(4) == [8, 4, 25, 1])
    }
}
