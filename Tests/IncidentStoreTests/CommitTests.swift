import Foundation
import GRDB
import IncidentCore
import Testing

@testable import IncidentStore

@Suite struct CommitTests {
    @Test(arguments: Backend.allCases, [fullIncident(), bareIncident()])
    func incidentsRoundTripExactly(_ backend: Backend, _ incident: Incident) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.commit(StoreBatch(incidents: [incident], at: t(0)))
            #expect(try await store.incident(incident.number) == incident)
            #expect(try await store.incident(999) == nil)
        }
    }

    @Test(arguments: Backend.allCases) func anEscalationWithNoStepOrDueTimeRoundTrips(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var incident = bareIncident(4)
            incident.escalation = Incident.Escalation(policy: "p", step: nil, round: 3, nextAt: nil)
            _ = try await store.commit(StoreBatch(incidents: [incident], at: t(0)))
            #expect(try await store.incident(4) == incident)
        }
    }

    @Test(arguments: Backend.allCases) func anIncidentIsUpsertedByNumber(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var incident = fullIncident(5)
            incident.state = .open
            _ = try await store.commit(StoreBatch(incidents: [incident], at: t(0)))
            incident.state = .closed
            incident.events = 9
            incident.escalation = nil
            _ = try await store.commit(StoreBatch(incidents: [incident], at: t(1)))
            #expect(try await store.incident(5) == incident)
            #expect(try await store.incidents(states: Set(IncidentState.allCases)).count == 1)
        }
    }

    @Test(arguments: Backend.allCases) func eventsRoundTripInOrderWithTheirIds(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let events = [fullEvent(), sampleEvent(), sampleEvent("cpu", host: "web1", at: 2)]
            let ids = try await store.commit(StoreBatch(events: events, at: t(2)))
            #expect(ids.count == 3)
            #expect(ids == ids.sorted())
            let more = try await store.commit(StoreBatch(events: [sampleEvent(at: 3)], at: t(3)))
            #expect(more.count == 1 && more[0] > ids[2])
            let read = try await store.events(after: 0, limit: 10)
            #expect(read.map(\.id) == ids + more)
            #expect(read.map(\.event) == events + [sampleEvent(at: 3)])
            #expect(try await store.events(after: ids[1], limit: 1).map(\.id) == [ids[2]])
            #expect(try await store.eventCount() == 4)
        }
    }

    /// What a page shows: the alert seen last, read as one row; ties go to the first seen, then the fingerprint,
    /// as picking from `alerts(of:)` in its order does.
    @Test(arguments: Backend.allCases) func theLatestAlertIsTheOneSeenLast(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.latestAlert(of: 7) == nil)
            let old = sampleAlert(incident: 7, host: "db1", events: 5)
            var late = sampleAlert(incident: 7, host: "db2", events: 9)
            let elsewhere = sampleAlert(incident: 8, host: "db3", events: 50)
            _ = try await store.commit(StoreBatch(alerts: [old, late, elsewhere], at: t(60)))
            #expect(try await store.latestAlert(of: 7) == late)
            // A tie on the last sight: the one seen first wins, as in the full list's order.
            late.lastSeen = old.lastSeen
            late.firstSeen = t(-10)
            _ = try await store.commit(StoreBatch(alerts: [late], at: t(61)))
            #expect(try await store.latestAlert(of: 7) == late)
            let all = try await store.alerts(of: 7)
            #expect(all.max { $0.lastSeen < $1.lastSeen } == late, "the same pick as from the list")
        }
    }

    @Test(arguments: Backend.allCases) func alertsAreUpsertedByIncidentAndFingerprint(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let first = sampleAlert(incident: 7, host: "db1")
            let other = sampleAlert(incident: 7, host: "db2")
            _ = try await store.commit(StoreBatch(incidents: [fullIncident()], alerts: [first, other], at: t(0)))
            var updated = first
            updated.events = 4
            updated.lastSeen = t(40)
            updated.status = .resolved
            updated.suppressed = true
            updated.annotations = [:]
            // The same fingerprint in another incident is another row.
            let elsewhere = sampleAlert(incident: 8, host: "db1")
            _ = try await store.commit(StoreBatch(alerts: [updated, elsewhere], at: t(40)))
            let alerts = try await store.alerts(of: 7)
            #expect(Set(alerts) == [updated, other])
            #expect(try await store.alerts(of: 8) == [elsewhere])
            #expect(try await store.alerts(of: 9) == [])
        }
    }

    @Test(arguments: Backend.allCases) func timelineNotesStateAndPositionsRoundTrip(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let entries = [
                TimelineEntry(at: t(0), type: "opened", detail: "rule disk"),
                TimelineEntry(at: t(0), type: "escalated", detail: "step 0 → pager"),
                TimelineEntry(at: t(5), type: "acknowledged", detail: "by alice"),
            ]
            let state = Data([0, 1, 2, 255, 0])
            _ = try await store.commit(
                StoreBatch(
                    timeline: [(7, entries[1]), (8, entries[0]), (7, entries[2])], engineState: state,
                    sourcePositions: ["journal": "s=abc;i=1", "spool": "0001"], at: t(5)))
            _ = try await store.commit(StoreBatch(timeline: [(7, entries[0])], at: t(6)))
            // Same instant: the order of commit decides.
            #expect(try await store.timeline(of: 7) == [entries[1], entries[0], entries[2]])
            #expect(try await store.timeline(of: 8) == [entries[0]])
            #expect(try await store.engineState() == state)
            #expect(try await store.sourcePosition("journal") == "s=abc;i=1")
            #expect(try await store.sourcePosition("socket") == nil)

            // A batch without engine state keeps the saved one; positions are replaced per source.
            _ = try await store.commit(StoreBatch(sourcePositions: ["journal": "s=abc;i=2"], at: t(7)))
            #expect(try await store.engineState() == state)
            #expect(try await store.sourcePosition("journal") == "s=abc;i=2")
            #expect(try await store.sourcePosition("spool") == "0001")
            _ = try await store.commit(StoreBatch(engineState: Data(), at: t(8)))
            #expect(try await store.engineState() == Data())

            let note = try await store.addNote(incident: 7, author: "bob", text: "rebooted\ndb1", at: t(9))
            let second = try await store.addNote(incident: 7, author: "alice", text: "ok", at: t(9))
            #expect(note.id != second.id)
            #expect(try await store.notes(of: 7) == [note, second])
            #expect(try await store.notes(of: 8) == [])
        }
    }

    /// The spool's positions are listed by prefix and forgotten only while they still hold the value read, so
    /// pruning cannot drop a position a new file of the same name committed meanwhile.
    @Test(arguments: Backend.allCases) func positionsAreListedByPrefixAndForgottenOnlyWhileUnchanged(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            let positions = ["spool:a_1.json": "done 1", "spool:b%.json": "done 2", "spoolish": "x", "journal": "c"]
            _ = try await store.commit(StoreBatch(sourcePositions: positions, at: t(0)))
            #expect(
                try await store.sourcePositions(withPrefix: "spool:")
                    == ["spool:a_1.json": "done 1", "spool:b%.json": "done 2"])
            _ = try await store.commit(StoreBatch(sourcePositions: ["spool:b%.json": "done 3"], at: t(1)))
            let removed = try await store.forgetSourcePositions(["spool:a_1.json": "done 1", "spool:b%.json": "done 2"])
            #expect(removed == 1)
            #expect(try await store.sourcePositions(withPrefix: "spool:") == ["spool:b%.json": "done 3"])
            #expect(try await store.sourcePosition("journal") == "c")
        }
    }

    @Test(arguments: Backend.allCases) func engineStateRecordsItsVersionAndSaveTime(_ backend: Backend) async throws {
        try await withStore(backend) { store, probe in
            _ = try await store.commit(StoreBatch(engineState: Data([1]), at: t(1)))
            _ = try await store.commit(StoreBatch(engineState: Data([2]), at: t(2)))
            #expect(try await probe.lines("SELECT version, saved_at FROM engine_state") == ["2|\(t(2).microseconds)"])
        }
    }

    @Test(arguments: Backend.allCases) func aCheckpointWrittenInPartsIsSavedOnlyWithItsLast(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, probe in
            let ids = try await store.commit(
                StoreBatch(events: [sampleEvent(at: 0), sampleEvent(at: 1)], engineState: Data("whole".utf8), at: t(1)))
            func part(_ index: Int, of count: Int, _ text: String, through: Int64, at seconds: Int64) -> StoreBatch {
                var batch = StoreBatch(at: t(seconds))
                batch.engineStatePart = EngineStatePart(
                    index: index, count: count, data: Data(text.utf8), throughEvent: through)
                return batch
            }
            func partRows() async throws -> [String] {
                try await probe.lines("SELECT generation, seq FROM engine_state_parts ORDER BY generation, seq")
            }
            let whole = EngineCheckpoint(data: Data("whole".utf8), throughEvent: ids[1], savedAt: t(1))

            // Until its last part commits, a restart restores the checkpoint saved before.
            _ = try await store.commit(part(0, of: 3, "ab", through: ids[0], at: 10))
            _ = try await store.commit(part(1, of: 3, "cd", through: ids[0], at: 11))
            #expect(try await store.engineCheckpoint() == whole)
            _ = try await store.commit(part(2, of: 3, "e", through: ids[0], at: 12))
            #expect(
                try await store.engineCheckpoint()
                    == EngineCheckpoint(data: Data("abcde".utf8), throughEvent: ids[0], savedAt: t(12)))
            #expect(try await store.engineState() == Data("abcde".utf8))
            #expect(try await partRows() == ["1|0", "1|1", "1|2"])

            // The next is generation 2; its parts keep the saved one's until its last. One begun and never finished
            // (the pipeline dropped it) is dropped by the next part 0.
            _ = try await store.commit(part(0, of: 2, "xy", through: ids[1], at: 13))
            #expect(try await partRows() == ["1|0", "1|1", "1|2", "2|0"])
            _ = try await store.commit(part(0, of: 2, "12", through: ids[1], at: 14))
            #expect(try await store.engineState() == Data("abcde".utf8))
            _ = try await store.commit(part(1, of: 2, "3", through: ids[1], at: 15))
            #expect(
                try await store.engineCheckpoint()
                    == EngineCheckpoint(data: Data("123".utf8), throughEvent: ids[1], savedAt: t(15)))
            #expect(try await partRows() == ["2|0", "2|1"])

            // A part out of order is refused, and the batch with it.
            var late = part(1, of: 2, "zz", through: ids[1], at: 16)
            late.events = [sampleEvent(at: 16)]
            await #expect {
                _ = try await store.commit(late)
            } throws: { ($0 as? StoreError)?.code == .constraint }
            #expect(try await store.events(after: 0, limit: 10).map(\.id) == ids)
            #expect(try await store.engineState() == Data("123".utf8))

            // A whole checkpoint replaces the saved one and drops every part, the saved one's and one in progress.
            _ = try await store.commit(part(0, of: 2, "pp", through: ids[1], at: 17))
            _ = try await store.commit(StoreBatch(engineState: Data("w2".utf8), at: t(18)))
            #expect(try await store.engineState() == Data("w2".utf8))
            #expect(try await partRows() == [])
            #expect(try await probe.lines("SELECT version, generation, parts FROM engine_state") == ["4|3|0"])
            // A part other than 0 cannot begin one.
            await #expect {
                _ = try await store.commit(part(1, of: 2, "r", through: ids[1], at: 19))
            } throws: { ($0 as? StoreError)?.code == .constraint }
            // Every checkpoint saved takes the next generation, whole or in parts.
            _ = try await store.commit(part(0, of: 2, "q", through: ids[1], at: 19))
            _ = try await store.commit(part(1, of: 2, "r", through: ids[1], at: 20))
            #expect(try await store.engineState() == Data("qr".utf8))
            #expect(try await probe.lines("SELECT version, generation, parts FROM engine_state") == ["5|4|2"])
        }
    }

    /// Debian's SQLite zeroes every page a transaction frees (SECURE_DELETE); the store turns that off, or dropping
    /// the parts of a checkpoint would write them all again, as zeros.
    @Test func pagesFreedAreNotWrittenAgain() async throws {
        try await withStore { store, path in
            var random = SystemRandomNumberGenerator()
            let large = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) })
            _ = try await store.commit(StoreBatch(engineState: large, at: t(1)))
            try await DatabaseQueue(path: path).writeWithoutTransaction { db in
                _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            let truncated = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
            #expect(truncated == 0)
            _ = try await store.commit(StoreBatch(engineState: Data([1]), at: t(2)))
            let wal = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
            // A few pages (the row's, the free list's), not the 256 pages of 4 KiB the blob freed.
            #expect(wal < 128 * 1024, "the WAL holds \(wal) bytes")
        }
    }

    @Test(arguments: Backend.allCases) func aSavedCheckpointMissingAPartIsReportedAsDamaged(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, probe in
            for index in 0..<3 {
                var batch = StoreBatch(at: t(Int64(index)))
                batch.engineStatePart = EngineStatePart(
                    index: index, count: 3, data: Data([UInt8(index)]), throughEvent: 0)
                _ = try await store.commit(batch)
            }
            #expect(try await store.engineState() == Data([0, 1, 2]))
            try await probe.change("DELETE FROM engine_state_parts WHERE seq = 1")
            await #expect {
                _ = try await store.engineCheckpoint()
            } throws: { ($0 as? StoreError)?.code == .corrupt }
        }
    }

    @Test(arguments: Backend.allCases) func listingFiltersByStateKindAndPriorityNewestFirst(_ backend: Backend)
        async throws
    {
        try await withStore(backend) { store, _ in
            var incidents: [Incident] = []
            for (n, state) in [IncidentState.open, .acknowledged, .resolved, .closed, .open].enumerated() {
                var incident = bareIncident(n + 1, openedAt: t(Int64(n * 10)))
                incident.state = state
                incident.kind = n == 4 ? .security : .outage
                incident.priority = n == 0 ? .p1 : .p3
                incidents.append(incident)
            }
            _ = try await store.commit(StoreBatch(incidents: incidents, at: t(100)))
            #expect(try await store.incidents().map(\.number) == [5, 2, 1])
            #expect(try await store.activeIncidents().map(\.number) == [5, 2, 1])
            #expect(try await store.activeIncidents(limit: 2).map(\.number) == [5, 2])
            #expect(try await store.incidents(kind: .outage).map(\.number) == [2, 1])
            #expect(try await store.incidents(priority: .p1).map(\.number) == [1])
            #expect(try await store.incidents(states: [.closed, .resolved]).map(\.number) == [4, 3])
            #expect(try await store.incidents(states: []).isEmpty)
        }
    }

    @Test func dataSurvivesClosingAndReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/incidentd.sqlite"
            let store = try SQLiteStore(path: path)
            _ = try await store.commit(
                StoreBatch(
                    events: [fullEvent()], incidents: [fullIncident()], alerts: [sampleAlert(incident: 7)],
                    timeline: [(7, TimelineEntry(at: t(0), type: "opened", detail: "d"))],
                    notifications: [page(7)], engineState: Data([9]), sourcePositions: ["journal": "c"], at: t(1)))
            let note = try await store.addNote(incident: 7, author: "a", text: "n", at: t(2))
            try store.close()

            let reopened = try SQLiteStore(path: path)
            #expect(try await reopened.events(after: 0, limit: 5).map(\.event) == [fullEvent()])
            #expect(try await reopened.incident(7) == fullIncident())
            #expect(try await reopened.alerts(of: 7) == [sampleAlert(incident: 7)])
            #expect(try await reopened.timeline(of: 7).map(\.type) == ["opened"])
            #expect(try await reopened.notes(of: 7) == [note])
            #expect(try await reopened.dueOutbox(before: t(0)).map(\.notification) == [page(7)])
            #expect(try await reopened.engineState() == Data([9]))
            #expect(try await reopened.sourcePosition("journal") == "c")
        }
    }
}

@Suite struct EscalationColumnTests {
    @Test(arguments: [
        Incident.Escalation(policy: "default", step: 1, round: 0, nextAt: Timestamp(microseconds: 123)),
        Incident.Escalation(policy: "we\"ird\\name/é", step: nil, round: 3, nextAt: nil),
    ])
    func theHandWrittenColumnIsWhatTheEncoderWrites(_ escalation: Incident.Escalation) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = try JSONSerialization.jsonObject(with: try encoder.encode(EscalationColumn(escalation)))
        let ours = try JSONSerialization.jsonObject(with: Data(EscalationColumn(escalation).jsonText.utf8))
        #expect((reference as? NSDictionary) == (ours as? NSDictionary))
        let decoded = try JSONDecoder().decode(
            EscalationColumn.self, from: Data(EscalationColumn(escalation).jsonText.utf8))
        #expect(decoded.escalation == escalation)
    }
}
