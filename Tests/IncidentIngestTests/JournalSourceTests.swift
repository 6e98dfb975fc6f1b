import Foundation
import IncidentCore
import IncidentIngest
import Synchronization
import TestSupport
import Testing

/// The journal source against real journal files made by `systemd-journal-remote`, with an in-memory sink.
@Suite("Journal source", .serialized, .enabled(if: JournalFixture.available, "needs systemd-journal-remote"))
struct JournalSourceTests {
    static let all = JournalFilter.matches([])

    func makeSource(
        _ directory: String, sink: FakeSink, filter: JournalFilter = all,
        startAt: JournalSourceConfiguration.StartAt =
            .beginning, health: HealthLog = HealthLog(), maxBatchEntries: Int? = nil
    ) -> JournalSource {
        var configuration = JournalSourceConfiguration(
            location: .directory(directory), filter: filter, startAt: startAt)
        if let maxBatchEntries { configuration.maxBatchEntries = maxBatchEntries }
        configuration.reopenDelay = .milliseconds(100)
        configuration.retryDelay = .milliseconds(50)
        let committed = sink.committed[JournalSource.positionKey]
        return JournalSource(
            configuration: configuration, sink: sink, logger: quietLogger, storedCursor: { committed },
            onHealth: { health.record($0) })
    }

    /// The `seq` numbers of every event the sink took, in order.
    func seqs(_ sink: FakeSink) -> [Int] {
        sink.submissions.flatMap(\.events).compactMap { $0.annotations["message"].flatMap { Int($0.dropFirst(5)) } }
    }

    @Test("entries map to events (SPEC §4) and the last cursor is committed with them")
    func readsAndCommits() async throws {
        try await withTemporaryDirectory { dir in
            var entries = (0..<10).map { JournalFixture.line($0) }
            entries[3] = ["SYSLOG_IDENTIFIER": "broken", "PRIORITY": "3"]  // no MESSAGE: cannot be mapped
            entries[5]["MESSAGE"] = "line 5\nsecond line"
            entries[7]["UNIT"] = "nginx.service"
            entries[7]["MESSAGE_ID"] = "d9b373ed55a64feb8242e02dbe79a49c"
            try await JournalFixture.write(entries, to: dir)
            let sink = FakeSink()
            let source = makeSource(dir, sink: sink)
            try await withRunning(source) { _ in
                try await source.ready()
                #expect(await eventually { source.counters.entriesCommitted == 10 })
            }
            let events = sink.submissions.flatMap(\.events)
            #expect(events.count == 9)
            #expect(source.counters.entriesUnmappable == 1)
            #expect(source.counters.entriesRead == 10)
            #expect(events[4].annotations["message"] == "line 5\nsecond line")
            let unit = try #require(events.first { $0.labels["unit"] != nil })
            #expect(
                unit.labels == [
                    "source": "journal", "host": "web1", "identifier": "app", "unit": "nginx.service",
                    "priority": "3", "severity": "error", "message_id": "d9b373ed55a64feb8242e02dbe79a49c",
                ])
            #expect(unit.source == .journal)
            #expect(unit.startsAt == Timestamp(microseconds: JournalFixture.baseMicros + 7_000))
            #expect(sink.committed[JournalSource.positionKey]?.contains("b=\(JournalFixture.bootID)") == true)
        }
    }

    @Test("batches reach the sink in the journal's order while the reader reads on")
    func submissionsKeepTheJournalsOrder() async throws {
        try await withTemporaryDirectory { dir in
            try await JournalFixture.write((0..<120).map { JournalFixture.line($0) }, to: dir)
            let sink = FakeSink()
            // The reader does not wait for a submission to be taken before it reads the next batch; each takes
            // its own time here, so only the reader's wait for the one before keeps them in line.
            sink.submitLate(maxMicroseconds: 3_000)
            let source = makeSource(dir, sink: sink, maxBatchEntries: 4)
            try await withRunning(source) { _ in
                try await source.ready()
                #expect(await eventually { source.counters.entriesCommitted == 120 })
            }
            #expect(seqs(sink) == Array(0..<120))
            #expect(sink.submissions.allSatisfy { $0.events.count <= 4 })
            // Each batch carries a cursor, and the one committed last is the last batch's: commits landed in order.
            let cursors = sink.submissions.map(\.positions[JournalSource.positionKey])
            #expect(cursors.allSatisfy { $0 != nil })
            #expect(sink.committed[JournalSource.positionKey] == cursors.last)
        }
    }

    @Test("a restart resumes after the committed cursor: no entry twice, none missed")
    func resumesAtCursor() async throws {
        try await withTemporaryDirectory { dir in
            try await JournalFixture.write((0..<500).map { JournalFixture.line($0) }, to: dir)
            let first = FakeSink()
            let one = makeSource(dir, sink: first)
            try await withRunning(one) { _ in
                #expect(await eventually { one.counters.entriesCommitted == 500 })
            }
            try await JournalFixture.write((500..<800).map { JournalFixture.line($0) }, to: dir, firstIndex: 500)
            // The second run starts from the first one's committed cursor.
            let second = FakeSink(committed: first.committed)
            let two = makeSource(dir, sink: second, startAt: .end)
            try await withRunning(two) { _ in
                #expect(await eventually { two.counters.entriesCommitted == 300 })
                try await JournalFixture.write((800..<900).map { JournalFixture.line($0) }, to: dir, firstIndex: 800)
                #expect(await eventually { two.counters.entriesCommitted == 400 })
            }
            let got = seqs(first) + seqs(second)
            #expect(
                got.count == 900 && got == Array(0..<900),
                "\(got.count) entries; first out of place: \(firstMismatch(got))")
        }
    }

    @Test("start_at: end skips what is already there and reads what comes after")
    func startAtEnd() async throws {
        try await withTemporaryDirectory { dir in
            try await JournalFixture.write((0..<50).map { JournalFixture.line($0) }, to: dir)
            let sink = FakeSink()
            let source = makeSource(dir, sink: sink, startAt: .end)
            try await withRunning(source) { _ in
                try await source.ready()
                try await JournalFixture.write((50..<60).map { JournalFixture.line($0) }, to: dir, firstIndex: 50)
                #expect(await eventually { source.counters.entriesCommitted == 10 })
            }
            #expect(seqs(sink) == Array(50..<60))
        }
    }

    @Test("derived matches read PRIORITY 0..4 and the named identifiers at any priority, nothing else")
    func derivedMatches() async throws {
        try await withTemporaryDirectory { dir in
            let entries = [
                JournalFixture.line(0, identifier: "sshd", priority: 6),
                JournalFixture.line(1, identifier: "chatty", priority: 6),
                JournalFixture.line(2, identifier: "chatty", priority: 4),
                JournalFixture.line(3, identifier: "chatty", priority: 5),
                JournalFixture.line(4, identifier: "sudo", priority: 5),
                JournalFixture.line(5, identifier: "kernel", priority: 0),
                JournalFixture.line(6, identifier: "chatty", priority: 7).merging(["UNIT": "nginx.service"]) { $1 },
                JournalFixture.line(7, identifier: "chatty", priority: 6).merging(["MESSAGE_ID": "abc"]) { $1 },
            ]
            try await JournalFixture.write(entries, to: dir)
            let filter = JournalFilter.derived(
                identifiers: ["sshd", "sudo"], units: ["nginx.service"], messageIDs: ["abc"])
            let sink = FakeSink()
            let source = makeSource(dir, sink: sink, filter: filter)
            try await withRunning(source) { _ in
                // Entries are read in order: once the last one (which matches) is in, every entry before it has
                // been taken or skipped, so a wrongly taken one cannot arrive after the check.
                #expect(await eventually { seqs(sink).contains(7) })
            }
            #expect(seqs(sink) == [0, 2, 4, 5, 6, 7])
        }
    }

    @Test("explicit matches are ANDed across fields and ORed within one")
    func explicitMatches() async throws {
        try await withTemporaryDirectory { dir in
            let entries = [
                JournalFixture.line(0, identifier: "a", priority: 3),
                JournalFixture.line(1, identifier: "b", priority: 3),
                JournalFixture.line(2, identifier: "c", priority: 3),
                JournalFixture.line(3, identifier: "a", priority: 6),
                // Matches: the end marker. Entries are read in order, so once it is in, 2 and 3 have been skipped
                // or taken, and a wrongly taken one cannot arrive after the check.
                JournalFixture.line(4, identifier: "b", priority: 3),
            ]
            try await JournalFixture.write(entries, to: dir)
            let sink = FakeSink()
            let filter = JournalFilter.matches(["SYSLOG_IDENTIFIER=a", "SYSLOG_IDENTIFIER=b", "PRIORITY=3"])
            let source = makeSource(dir, sink: sink, filter: filter)
            try await withRunning(source) { _ in
                #expect(await eventually { seqs(sink).contains(4) })
            }
            #expect(seqs(sink) == [0, 1, 4])
        }
    }

    @Test("a missing directory is reported, retried, and read once it appears")
    func missingDirectory() async throws {
        try await withTemporaryDirectory { parent in
            let dir = parent + "/journal"
            let sink = FakeSink()
            let health = HealthLog()
            let source = makeSource(dir, sink: sink, health: health)
            try await withRunning(source) { _ in
                try await source.ready()
                #expect(await eventually { health.last != nil })
                guard case .unavailable(let message) = health.last else {
                    Issue.record("health is \(String(describing: health.last))")
                    return
                }
                #expect(message.contains(dir))
                #expect(!source.counters.isOpen)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try await JournalFixture.write((0..<5).map { JournalFixture.line($0) }, to: dir)
                #expect(await eventually { source.counters.entriesCommitted == 5 })
                #expect(health.last == .open)
            }
        }
    }

    @Test("when commits fail nothing is acknowledged, and reading resumes at the last committed cursor")
    func failedCommits() async throws {
        try await withTemporaryDirectory { dir in
            try await JournalFixture.write((0..<100).map { JournalFixture.line($0) }, to: dir)
            let sink = FakeSink(mode: .fail(IngestError(.storeFailed, "disk full")))
            let source = makeSource(dir, sink: sink)
            try await withRunning(source) { _ in
                #expect(await eventually { source.counters.commitFailures >= 2 })
                #expect(source.counters.entriesCommitted == 0)
                #expect(sink.committed.isEmpty)
                sink.setMode(.commit)
                #expect(await eventually { source.counters.entriesCommitted == 100 })
            }
            // Each failed attempt re-read the same entries; the committed ones are exactly 0..<100 once.
            #expect(Array(seqs(sink).suffix(100)) == Array(0..<100))
        }
    }

    @Test("a journal that rotates under a steady writer loses nothing (300k entries)", .heavyLoad)
    func rotationUnderLoad() async throws {
        try await withTemporaryDirectory { dir in
            let total = 300_000
            let writer = try LiveJournalWriter(directory: dir)
            try writer.append([JournalFixture.line(0)])
            let sink = FakeSink()
            let source = makeSource(dir, sink: sink)
            try await withRunning(source) { _ in
                try await source.ready()
                let chunk = 5_000
                for start in stride(from: 1, to: total, by: chunk) {
                    try await writer.appendAwaiting((start..<min(start + chunk, total)).map { JournalFixture.line($0) })
                }
                try await writer.finish()
                #expect(await eventually(timeout: .seconds(120)) { source.counters.entriesCommitted == total })
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".journal") }
            #expect(files.count >= 2, "the writer rotated: \(files)")
            #expect(source.counters.invalidations >= 1)
            let got = seqs(sink)
            #expect(
                got.count == total && got == Array(0..<total),
                "\(got.count) entries; first out of place: \(firstMismatch(got))")
        }
    }
}

/// The first index where `numbers` is not 0, 1, 2, ..., or nil (compact failure messages).
func firstMismatch(_ numbers: [Int]) -> Int? {
    numbers.indices.first { numbers[$0] != $0 }
}

/// What a journal source reported about its health, in order.
final class HealthLog: Sendable {
    private let entries = Mutex<[JournalSource.Health]>([])

    func record(_ health: JournalSource.Health) { entries.withLock { $0.append(health) } }

    var last: JournalSource.Health? { entries.withLock { $0.last } }
}
