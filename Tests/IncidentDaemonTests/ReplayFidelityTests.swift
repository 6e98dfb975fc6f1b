import Foundation
import IncidentCore
import IncidentEngine
import IncidentRules
import IncidentStore
import Synchronization
import TestSupport
import Testing

@testable import IncidentDaemon

/// A restart's replay takes the stored events through the engine as the live pipeline took them: the same timers
/// fire between the same events. The pipeline advances the engine's clock once before each run of events it takes
/// and stamps their `receivedAt` with that time; the replay advances once per such time. Before, the replay
/// advanced before every event, so a timer already due (an alert whose own time is old) fired between two events
/// of one run on replay and after the run live, and the two engines went apart: after a `kill -9` under load the
/// restored engine numbered incidents differently from the store, and wrote its counts to the wrong ones.
@Suite struct ReplayFidelityTests {
    /// The pipeline tests' rules, with an alert resolved 5 minutes after its own time.
    static func rules() throws -> RuleSet {
        let text = rulesYAML.replacingOccurrences(
            of: "group_by: [host]\n", with: "group_by: [host]\n    resolve_after: 5m\n")
        try #require(text.contains("resolve_after: 5m"))
        let result = RuleSetLoader().load(text: text, file: "test.yaml")
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try #require(result.ruleSet)
    }

    /// Firing since an hour ago (its resolve, 5 minutes after its own time, is due as soon as the clock is read),
    /// received `ago` before the pipeline takes it, as a socket line is decoded a moment before.
    func old(_ disk: String, ago: Int64) -> Event {
        Event(
            labels: ["alertname": "DiskFull", "host": "a", "disk": disk], annotations: [:], status: .firing,
            startsAt: fixedNow - .seconds(3600), source: .socket, receivedAt: fixedNow - .milliseconds(ago))
    }

    @Test func theReplayFiresTimersWhereTheLivePipelineDid() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointInterval = .seconds(3600)
        tuning.checkpointEvents = 1_000_000
        // A wall clock that moves a millisecond each time it is read, as a real one moves between two runs.
        let ticks = Atomic<Int64>(0)
        let running = RunningPipeline(
            store: store, tuning: tuning, engine: CorrelationEngine(ruleSet: try Self.rules()),
            now: { fixedNow + .milliseconds(ticks.add(1, ordering: .relaxed).newValue) })
        // One submission, so one run: live, disk 1's resolve fires only before the next run, after disk 2 was
        // taken. Replayed at each event's own arrival (as before the stamp), it fired between the two, and the
        // engines went apart.
        _ = try await running.pipeline.submit([old("1", ago: 3), old("2", ago: 2)], positions: [:]).receipt()
        _ = try await running.pipeline.submit([old("3", ago: 1)], positions: [:]).receipt()
        // Both engines then let the same hour pass: what is left to fire fires in both.
        let end = fixedNow + .seconds(3600)
        let live = try await running.pipeline.inspect { engine in
            var engine = engine
            _ = engine.advance(to: end)
            return try engine.exportState().canonicalJSON()
        }
        // A crash: no stop, no checkpoint; the restart replays every event.
        running.loop.cancel()
        await running.loop.value
        let restored = try await EngineRecovery(store: store, logger: quiet).restore(ruleSet: try Self.rules())
        #expect(restored.replayed == 3)
        var engine = restored.engine
        _ = engine.advance(to: end)
        let replayed = try engine.exportState().canonicalJSON()
        #expect(String(decoding: replayed, as: UTF8.self) == String(decoding: live, as: UTF8.self))
    }

    /// The replay reads the next page of events while the engine takes one: across page boundaries, with a
    /// quarantined event on one and a checkpoint before them, it ends as a replay in one page does.
    @Test func theReplayEndsTheSameWhateverItsPageSize() async throws {
        let store = try SQLiteStore(path: tempDir() + "/s.sqlite")
        var tuning = IngestPipeline.Tuning()
        tuning.checkpointEvents = 6
        let wrapped = WrappedStore(inner: store)
        let running = RunningPipeline(store: wrapped, tuning: tuning)
        for i in 0..<20 { _ = try await running.pipeline.ingest([alert("h\(i % 5)", i)]) }
        // A checkpoint is encoded off the pipeline and lands with a later commit, or alone once the pipeline is
        // idle: the ingests are answered when their commits return, which can be before it is stored.
        try await waitUntil("a checkpoint is stored") { try await store.engineCheckpoint() != nil }
        // A crash: no stop, so the events after the last checkpoint are replayed; no checkpoint still being
        // encoded lands after the events below.
        await wrapped.crash()
        running.loop.cancel()
        await running.loop.value
        // Then an event no engine may take (stored by an older version), and more after it.
        var batch = StoreBatch(at: fixedNow)
        batch.events =
            [Event(labels: [:], source: .socket, receivedAt: fixedNow)] + (20..<27).map { alert("h\($0 % 5)", $0) }
        _ = try await store.commit(batch)

        func restored(page: Int) async throws -> EngineRecovery.Restored {
            try await EngineRecovery(store: store, logger: quiet, replayPage: page).restore(ruleSet: ruleSet())
        }
        func held(_ restored: EngineRecovery.Restored) -> [String] {
            let batch = restored.held.batch(at: fixedNow)
            return
                (batch.incidentActivity.map { "INC-\($0.number)@\($0.events)" }
                + batch.alertActivity.map { "\($0.labels["host"] ?? "")@\($0.incident ?? 0):\($0.events)" }).sorted()
        }
        let whole = try await restored(page: 5_000)
        let through = try #require(try await store.engineCheckpoint()).throughEvent
        // Taken after one of the 20 (a slow run may take one after the last): at least 8 events to replay.
        #expect(through > 0 && through <= 20)
        #expect(whole.replayed == 28 - Int(through))
        #expect(whole.quarantined == 1)
        #expect(whole.engine.stats.eventsIn == 27)
        #expect(!held(whole).isEmpty)
        for page in [1, 2, 3, 7] {
            let paged = try await restored(page: page)
            #expect(paged.replayed == whole.replayed, "page \(page)")
            #expect(paged.quarantined == 1, "page \(page)")
            #expect(held(paged) == held(whole), "page \(page)")
            #expect(
                try paged.engine.exportState().canonicalJSON() == whole.engine.exportState().canonicalJSON(),
                "page \(page)")
        }
    }
}
