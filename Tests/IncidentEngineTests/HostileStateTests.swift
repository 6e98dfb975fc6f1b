import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules
import Testing

/// The engine under what should never reach it but might (a damaged checkpoint, an event stored before the
/// decoders checked times): it must not trap, since a trap here repeats on every start.
@Suite("Hostile engine state")
struct HostileStateTests {
    static let rules = """
        rules:
          - name: everything
            match: ['alertname=~".+"']
            kind: degradation
            impact: low
            urgency: low
            resolve_after: 5m
        escalation_policies:
          - name: default
            steps:
              - { after: 0s, notify: [oncall] }
              - { after: 15m, notify: [lead] }
            repeat: { times: 2, every: 30m }
        escalation_by_priority: { P1: default, P2: default, P3: default, P4: default, P5: default }
        """

    @Test("a checkpoint of version 1 (before the held list) reads; one newer than this build is refused")
    func stateVersions() throws {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        _ = engine.ingest(event(["alertname": "DiskFull", "host": "a"], 0))
        var state = engine.exportState()
        #expect(state.version == EngineState.currentVersion)
        state.version = 1
        #expect(try EngineState.decode(state.encoded()).version == 1)
        state.version = EngineState.currentVersion + 1
        let newer = try state.encoded()
        #expect(throws: DecodingError.self) { try EngineState.decode(newer) }
    }

    @Test("a checkpoint naming one alert twice, in two spellings of its fingerprint, restores")
    func duplicateAlertKeysRestore() throws {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        _ = engine.ingest(event(["alertname": "DiskFull", "host": "a"], 0))
        let json = try JSONEncoder().encode(engine.exportState())
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        var alerts = try #require(object["alerts"] as? [String: Any])
        let (key, record) = try #require(alerts.first)
        // The same 64-bit value three ways: as written, upper-cased, and zero-padded shorter.
        alerts[key.uppercased() == key ? key.lowercased() : key.uppercased()] = record
        let trimmed = String(key.drop { $0 == "0" })
        alerts[trimmed.isEmpty ? "0" : trimmed] = record
        object["alerts"] = alerts
        let damaged = try JSONSerialization.data(withJSONObject: object)
        let state = try EngineState.decode(damaged)
        let restored = CorrelationEngine(restoring: state, ruleSet: compile(Self.rules))
        #expect(restored.workingSetSize.alerts == 1)
        #expect(restored.workingSetSize.incidents == 1)
    }

    @Test(
        "events at the ends of time do not trap, and the clock can be driven to them",
        arguments: [Int64.min, Int64.min + 1, -62_135_596_800_000_001, 0, Int64.max - 1, Int64.max])
    func extremeTimes(micros: Int64) {
        var engine = CorrelationEngine(ruleSet: compile(Self.rules))
        let extreme = Timestamp(microseconds: micros)
        let normal = at(0)
        for (starts, received) in [(extreme, normal), (normal, extreme), (extreme, extreme)] {
            _ = engine.advance(to: received)
            _ = engine.ingest(
                Event(labels: ["alertname": "Edge", "t": "\(micros)"], startsAt: starts, receivedAt: received))
            _ = engine.ingest(
                Event(
                    labels: ["alertname": "Edge", "t": "\(micros)"], status: .resolved, startsAt: starts,
                    endsAt: starts,
                    receivedAt: received))
        }
        _ = engine.advance(to: Timestamp(microseconds: .max))
        let state = engine.exportState()
        let restored = CorrelationEngine(restoring: state, ruleSet: compile(Self.rules))
        #expect(restored.workingSetSize.incidents == engine.workingSetSize.incidents)
        for incident in engine.activeIncidents { #expect(incident.openedAt.rfc3339.hasSuffix("Z")) }
    }
}
