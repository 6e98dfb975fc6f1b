import Foundation
import Glibc
import IncidentCore
import Testing

@testable import IncidentIngest

/// The spool source on real directories, with inotify, a fake sink and the shipped sample webhooks.
struct SpoolSourceTests {
    static func alert(_ name: String) -> Data {
        Data(#"{"labels":{"alertname":"SpoolTest","file":"\#(name)"}}"#.utf8)
    }

    /// Runs a spool source on a fresh directory; `prepare` lays out files before it starts.
    func withSpool<R>(
        sink: FakeSink, configure: (inout SpoolSourceConfiguration) -> Void = { _ in },
        prepare: (Spool) throws -> Void = { _ in }, _ body: (SpoolSource, Spool) async throws -> R
    ) async throws -> R {
        try await withTemporaryDirectory { dir in
            let spool = Spool(root: dir + "/spool")
            try prepare(spool)
            // No periodic rescan: files must be found by the scan at start or through inotify.
            var configuration = SpoolSourceConfiguration(
                path: spool.root, rescanInterval: .seconds(3600), retryDelay: .milliseconds(10),
                maxRetryDelay: .milliseconds(100))
            configure(&configuration)
            let source = SpoolSource(
                configuration: configuration, decoder: PayloadDecoder(), sink: sink, logger: quietLogger,
                positions: sink)
            return try await withRunning(source) { _ in
                try await source.ready()
                return try await body(source, spool)
            }
        }
    }

    /// How many alerts a webhook file holds, read independently of the decoder.
    static func alertCount(_ data: Data) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: data)
        if let array = object as? [Any] { return array.count }
        if let alerts = (object as? [String: Any])?["alerts"] as? [Any] { return alerts.count }
        return 1
    }

    /// Writers in the service's group need tmp/ and new/ group-writable whatever the umask (022 here, 027 under
    /// the packaged unit); done/ and failed/ stay the daemon's.
    @Test func theSpoolItMakesHasItsModesDespiteTheUmask() async throws {
        try await withSpool(sink: FakeSink()) { _, spool in
            func mode(_ path: String) -> mode_t {
                var info = stat()
                _ = stat(path, &info)
                return info.st_mode & 0o777
            }
            #expect(mode(spool.root + "/tmp") == 0o770)
            #expect(mode(spool.root + "/new") == 0o770)
            #expect(mode(spool.root + "/done") == 0o750)
            #expect(mode(spool.root + "/failed") == 0o750)
        }
    }

    @Test func everySampleWebhookEndsInDoneWithItsEvents() async throws {
        var files: [(name: String, data: Data)] = []
        for folder in ["alertmanager", "grafana"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: fixtureURL(folder).path).sorted() {
                files.append((name, try fixtureData(folder + "/" + name)))
            }
        }
        let pagerDuty =
            #"{"routing_key":"R","event_action":"trigger","dedup_key":"disk-db1","#
            + #""payload":{"summary":"disk full","source":"db1","severity":"critical"}}"#
        files.append(("pagerduty.json", Data(pagerDuty.utf8)))
        files.append(("generic.json", Data(#"[{"labels":{"a":"1"}},{"labels":{"a":"2"}}]"#.utf8)))
        try #require(files.count >= 18)
        let sink = FakeSink()
        try await withSpool(
            sink: sink,
            prepare: { spool in
                for file in files { try spool.place(file.name, file.data) }
            }
        ) { source, spool in
            #expect(await eventually { spool.names(in: "done").count == files.count })
            #expect(spool.names(in: "new").isEmpty)
            #expect(spool.names(in: "failed").isEmpty)
            let byFile = Dictionary(
                sink.submissions.map { ($0.positions.keys.first ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            for file in files {
                let submission = byFile["spool:" + file.name]
                #expect(submission?.positions.keys.sorted() == ["spool:" + file.name], "\(file.name)")
                #expect(submission?.positions.values.first?.hasPrefix("done dev=") == true, "\(file.name)")
                let alerts = try Self.alertCount(file.data)
                #expect(submission?.events.count == alerts, "\(file.name)")
                #expect(submission?.events.allSatisfy { $0.source == .spool } == true)
            }
            #expect(sink.submitted == files.count)
            #expect(await eventually { source.counters.filesDone == files.count })
        }
    }

    /// A file that cannot be ingested, and the code its `.error` file must name.
    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        var code: String
        var write: @Sendable (String) throws -> Void
        var testDescription: String { name }

        init(_ name: String, code: String, data: Data) {
            self.init(name, code: code) { path in try data.write(to: URL(fileURLWithPath: path)) }
        }

        init(_ name: String, code: String, write: @escaping @Sendable (String) throws -> Void) {
            (self.name, self.code, self.write) = (name, code, write)
        }

        static func all() throws -> [BadFile] {
            let sample = try fixtureData("alertmanager/003-manual-firing-grouped3-HighLatency-api.json")
            return [
                BadFile("b-plain-text.json", code: "bad-json", data: Data("disk full on db1\n".utf8)),
                BadFile(
                    "b-invalid-utf8.json", code: "not-utf8",
                    data: Data(#"{"labels":{"a":""#.utf8) + Data([0xFF, 0xFE]) + Data(#""}}"#.utf8)),
                BadFile("b-truncated.json", code: "bad-json", data: sample.prefix(sample.count / 2)),
                BadFile("b-empty.json", code: "empty", data: Data()),
                BadFile("b-unknown-shape.json", code: "unknown-format", data: Data(#"{"hello":"world"}"#.utf8)),
                // 100 MB, sparse: refused from its size without being read.
                BadFile("b-too-large.json", code: "too-large") { path in
                    try Data("{".utf8).write(to: URL(fileURLWithPath: path))
                    guard truncate(path, 100 * 1024 * 1024) == 0 else {
                        throw LineClient.Failure(description: "truncate: \(String(cString: strerror(errno)))")
                    }
                },
            ]
        }
    }

    @Test(arguments: try BadFile.all())
    func aBadFileGoesToFailedWithItsReasonAndItsNeighboursAreDone(_ bad: BadFile) async throws {
        let sink = FakeSink()
        try await withSpool(
            sink: sink,
            prepare: { spool in
                try spool.place("a-good.json", Self.alert("a"))
                try spool.place("c-good.json", Self.alert("c"))
            }
        ) { source, spool in
            try bad.write(spool.path("tmp", bad.name))
            try #require(rename(spool.path("tmp", bad.name), spool.path("new", bad.name)) == 0)
            #expect(await eventually { spool.exists("failed", bad.name + ".error") })
            #expect(await eventually { spool.names(in: "done") == ["a-good.json", "c-good.json"] })
            #expect(spool.names(in: "failed") == [bad.name, bad.name + ".error"])
            #expect(spool.names(in: "new").isEmpty)
            let explanation = spool.contents("failed", bad.name + ".error") ?? ""
            #expect(explanation.hasPrefix("spool file \(bad.name) was refused: "), "\(explanation)")
            #expect(explanation.contains("[\(bad.code)]"), "\(explanation)")
            #expect(!sink.isCommitted("spool:" + bad.name))
            #expect(sink.submitted == 2)
            #expect(await eventually { source.counters.filesFailed == 1 })
            #expect(await eventually { source.counters.filesDone == 2 })
        }
    }

    @Test func aFileWrittenDirectlyInNewIsTakenOnlyOnceClosed() async throws {
        let sink = FakeSink()
        // Scans alone would wait an hour for the file to be quiet: only its close event can release it.
        try await withSpool(sink: sink, configure: { $0.settleTime = .seconds(3600) }) { source, spool in
            let data = Self.alert("direct")
            let fd = open(spool.path("new", "direct.json"), O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            try #require(fd >= 0)
            let half = data.count / 2
            data.prefix(half).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
            // Another file arriving makes the source look at new/ while direct.json is still open.
            try spool.drop("other.json", Self.alert("other"))
            #expect(await eventually { spool.exists("done", "other.json") })
            #expect(spool.exists("new", "direct.json"))
            #expect(sink.submitted == 1)
            data.dropFirst(half).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
            close(fd)
            #expect(await eventually { spool.exists("done", "direct.json") })
            #expect(spool.names(in: "failed").isEmpty)
            #expect(sink.submissions.last?.events.first?.labels["file"] == "direct")
            #expect(await eventually { source.counters.filesDone == 2 })
        }
    }

    @Test func dotfilesTemporaryNamesAndTmpAreLeftAlone() async throws {
        let ignored = [".hidden.json", ".data.nosync1234", "x.json.tmp", "y.json.partial", "z.json~"]
        let sink = FakeSink()
        try await withSpool(
            sink: sink,
            prepare: { spool in
                for name in ignored { try spool.place(name, Self.alert(name)) }
                try spool.place("writing.json", Self.alert("writing"), in: "tmp")
                try spool.place("good.json", Self.alert("good"))
            }
        ) { _, spool in
            #expect(await eventually { spool.exists("done", "good.json") })
            try spool.drop("late.json.tmp", Self.alert("late"))
            try spool.drop("later.json", Self.alert("later"))
            #expect(await eventually { spool.exists("done", "later.json") })
            #expect(spool.names(in: "new") == (ignored + ["late.json.tmp"]).sorted())
            #expect(spool.names(in: "tmp") == ["writing.json"])
            #expect(sink.submitted == 2)
        }
    }

    /// A position an earlier version wrote (a plain `done`) still keeps its file from being ingested twice.
    @Test func aFileAlreadyCommittedMovesToDoneWithoutBeingIngestedAgain() async throws {
        // The daemon committed a.json, then stopped before moving it; an older a.json is already in done/.
        let sink = FakeSink(committed: ["spool:a.json": "done"])
        try await withSpool(
            sink: sink,
            prepare: { spool in
                try spool.place("a.json", Data("earlier".utf8), in: "done", age: .seconds(3600))
                try spool.place("a.json", Self.alert("a"))
                try spool.place("b.json", Self.alert("b"))
            }
        ) { source, spool in
            #expect(await eventually { spool.names(in: "done") == ["a.json", "a.json.1", "b.json"] })
            #expect(spool.contents("done", "a.json") == "earlier")
            #expect(spool.contents("done", "a.json.1") == String(decoding: Self.alert("a"), as: UTF8.self))
            #expect(sink.submissions.map { $0.positions.keys.sorted() } == [["spool:b.json"]])
            #expect(await eventually { source.counters.filesAlreadyCommitted == 1 })
            #expect(await eventually { source.counters.filesDone == 1 })
        }
    }

    /// A writer that reuses a name after its first file was ingested (a cron job's `alert.json`) sends a new
    /// alert: it is ingested again, even with the very same bytes, and both files end in done/.
    @Test func aNameReusedAfterItsFileWasIngestedIsIngestedAgain() async throws {
        let sink = FakeSink()
        try await withSpool(sink: sink) { source, spool in
            try spool.drop("alert.json", Self.alert("first"))
            #expect(await eventually { spool.exists("done", "alert.json") })
            try spool.drop("alert.json", Self.alert("second"))
            #expect(await eventually { spool.exists("done", "alert.json.1") })
            try spool.drop("alert.json", Self.alert("second"))
            #expect(await eventually { spool.exists("done", "alert.json.2") })
            #expect(spool.names(in: "new").isEmpty)
            #expect(sink.submissions.map { $0.events.first?.labels["file"] } == ["first", "second", "second"])
            #expect(source.counters.filesAlreadyCommitted == 0)
            #expect(await eventually { source.counters.filesDone == 3 })
        }
    }

    /// The guarantee positions exist for: the file committed but not moved (the daemon died in between, here
    /// the move failed) is the same file at the next pass, and goes to done/ without a second submission.
    @Test func theFileLeftInNewAfterItsCommitIsNotIngestedTwice() async throws {
        let sink = FakeSink()
        // A file no inotify event announces is taken once quiet for settleTime: a.json at b.json's pass.
        try await withSpool(sink: sink, configure: { $0.settleTime = .milliseconds(1) }) { source, spool in
            // done/ is a file: the move after the commit fails, as if the process had stopped there.
            try FileManager.default.removeItem(atPath: spool.path("done"))
            try Data().write(to: URL(fileURLWithPath: spool.path("done")))
            try spool.drop("a.json", Self.alert("a"))
            #expect(await eventually { sink.isCommitted("spool:a.json") })
            // The sink commits at submission, before the source tries the move: c.json's pass starts only once
            // a.json's has ended, so when c.json is committed, a.json's move has failed.
            try spool.drop("c.json", Self.alert("c"))
            #expect(await eventually { sink.isCommitted("spool:c.json") })
            #expect(spool.exists("new", "a.json"))
            try FileManager.default.removeItem(atPath: spool.path("done"))
            try FileManager.default.createDirectory(atPath: spool.path("done"), withIntermediateDirectories: false)
            try spool.drop("b.json", Self.alert("b"))
            #expect(await eventually { spool.names(in: "done") == ["a.json", "b.json", "c.json"] })
            #expect(sink.submissions.map { $0.events.first?.labels["file"] } == ["a", "c", "b"])
            #expect(await eventually { source.counters.filesAlreadyCommitted >= 1 })
        }
    }

    @Test func positionsArePrunedAfterKeepDoneExceptForFilesStillInNew() async throws {
        let week = 7 * 86_400
        let now = Timestamp.wallClock()
        func position(_ age: Int) -> String {
            SpoolPosition(
                identity: SpoolFileIdentity(device: 1, inode: 2, modified: 3, size: 4),
                committedAt: now - .seconds(age)
            ).text
        }
        let sink = FakeSink(committed: [
            "spool:old.json": position(week + 3600), "spool:recent.json": position(week - 3600),
            "spool:legacy.json": "done", "spool:waiting.json": "done", "journal": "s=1;i=2",
        ])
        try await withSpool(
            sink: sink, configure: { $0.keepDone = .seconds(week) },
            prepare: { spool in
                // An earlier version committed it and stopped before the move: its position must survive.
                try spool.place("waiting.json", Self.alert("waiting"))
            }
        ) { source, spool in
            #expect(await eventually { source.counters.positionsPruned == 2 })
            #expect(await eventually { spool.exists("done", "waiting.json") })
            #expect(sink.committed.keys.sorted() == ["journal", "spool:recent.json", "spool:waiting.json"])
            #expect(sink.submitted == 0)
        }
    }

    /// Out of descriptors, opening a good file fails: it must wait in new/ for a later pass, not go to failed/
    /// as if it were bad.
    @Test(arguments: [EMFILE, ENFILE, ENOMEM, EIO])
    func aTransientOpenFailureLeavesTheFileInNewForTheNextPass(_ error: Int32) async throws {
        // The first three opens of a.json fail with `error`; the source opens one file at a time.
        let opens = Counter()
        let directory = { (root: String) in
            SpoolDirectory(root: root) { path, flags in
                if path.hasSuffix("/new/a.json") {
                    opens.add()
                    if opens.value <= 3 {
                        errno = error
                        return -1
                    }
                }
                return open(path, flags)
            }
        }
        let sink = FakeSink()
        try await withTemporaryDirectory { dir in
            let spool = Spool(root: dir + "/spool")
            let configuration = SpoolSourceConfiguration(
                path: spool.root, rescanInterval: .seconds(3600), retryDelay: .milliseconds(10),
                maxRetryDelay: .milliseconds(100))
            let source = SpoolSource(
                configuration: configuration, directory: directory(spool.root), decoder: PayloadDecoder(), sink: sink,
                logger: quietLogger, positions: sink)
            try await withRunning(source) { _ in
                try await source.ready()
                try spool.drop("a.json", Self.alert("a"))
                #expect(await eventually { spool.exists("done", "a.json") })
                #expect(spool.names(in: "failed").isEmpty)
                #expect(sink.submitted == 1)
                #expect(source.counters.filesDeferred == 3)
                #expect(source.counters.filesFailed == 0)
                #expect(source.counters.retries >= 3)
            }
        }
    }

    @Test(arguments: [IngestError.Code.storeFailed, .shuttingDown])
    func aSinkFailureLeavesTheFileInNewAndItIsRetried(_ code: IngestError.Code) async throws {
        let sink = FakeSink(mode: .fail(IngestError(code, "the store is locked")))
        try await withSpool(sink: sink) { source, spool in
            try spool.drop("a.json", Self.alert("a"))
            #expect(await eventually { sink.entered >= 3 })
            #expect(spool.names(in: "new") == ["a.json"])
            #expect(spool.names(in: "failed").isEmpty)
            #expect(spool.names(in: "done").isEmpty)
            #expect(await eventually { source.counters.retries >= 2 })
            sink.setMode(.commit)
            #expect(await eventually { spool.exists("done", "a.json") })
            #expect(sink.isCommitted("spool:a.json"))
            #expect(await eventually { source.counters.filesDone == 1 })
            #expect(await eventually { source.counters.filesFailed == 0 })
        }
    }

    @Test func aFileTheSinkCallsInvalidGoesToFailed() async throws {
        let sink = FakeSink(mode: .fail(IngestError(.invalid, "an alert has 70 labels, more than 64")))
        try await withSpool(sink: sink) { source, spool in
            try spool.drop("a.json", Self.alert("a"))
            #expect(await eventually { spool.exists("failed", "a.json.error") })
            #expect(spool.contents("failed", "a.json.error")?.contains("more than 64 [invalid]") == true)
            #expect(spool.names(in: "new").isEmpty)
            #expect(await eventually { source.counters.filesFailed == 1 })
        }
    }

    @Test func keepDonePurgesOldFilesFromDoneButNotFromFailed() async throws {
        let week = 7 * 86_400
        try await withSpool(
            sink: FakeSink(), configure: { $0.keepDone = .seconds(week) },
            prepare: { spool in
                try spool.place("old.json", Self.alert("old"), in: "done", age: .seconds(week + 3600))
                try spool.place("recent.json", Self.alert("recent"), in: "done", age: .seconds(week - 3600))
                try spool.place("old-bad.json", Data("x".utf8), in: "failed", age: .seconds(week + 3600))
                try spool.place("old-bad.json.error", Data("why".utf8), in: "failed", age: .seconds(week + 3600))
                // Written a month ago, ingested now: its week in done/ starts now.
                try spool.place("new.json", Self.alert("new"), age: .seconds(4 * week))
            }
        ) { source, spool in
            #expect(await eventually { spool.names(in: "done") == ["new.json", "recent.json"] })
            #expect(spool.names(in: "failed") == ["old-bad.json", "old-bad.json.error"])
            #expect(await eventually { source.counters.filesPurged == 1 })
        }
    }

    @Test func aBurstOfAThousandFilesIsIngested() async throws {
        let sink = FakeSink(mode: .commitLate(maxMicroseconds: 1000))
        let count = 1000
        try await withSpool(sink: sink) { source, spool in
            for i in 0..<count { try spool.drop(String(format: "burst-%04d.json", i), Self.alert("\(i)")) }
            #expect(await eventually(timeout: .seconds(120)) { spool.names(in: "done").count == count })
            #expect(spool.names(in: "new").isEmpty)
            #expect(Set(sink.submissions.flatMap(\.positions.keys)).count == count)
            #expect(await eventually { source.counters.filesDone == count })
        }
    }

    @Test func gracefulShutdownFinishesTheFilesAlreadySubmitted() async throws {
        let sink = FakeSink(mode: .hold)
        try await withTemporaryDirectory { dir in
            let spool = Spool(root: dir + "/spool")
            let source = SpoolSource(
                configuration: .init(path: spool.root), decoder: PayloadDecoder(), sink: sink, logger: quietLogger,
                positions: sink)
            try await withRunning(source) { group in
                try await source.ready()
                try spool.drop("a.json", Self.alert("a"))
                #expect(await eventually { sink.submitted == 1 })
                await group.triggerGracefulShutdown()
                sink.release()
            }
            #expect(spool.names(in: "done") == ["a.json"])
            #expect(spool.names(in: "new").isEmpty)
        }
    }

    @Test func aSpoolPathThatIsAFileKeepsTheSourceFromStarting() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/spool"
            try Data("not a directory".utf8).write(to: URL(fileURLWithPath: path))
            let source = SpoolSource(
                configuration: .init(path: path), decoder: PayloadDecoder(), sink: FakeSink(), logger: quietLogger,
                positions: FakeSink())
            await #expect(throws: SourceError.self) { try await source.run() }
            let error = await #expect(throws: SourceError.self) { try await source.ready() }
            #expect(error?.code == .spoolDirectory)
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test func missingSubdirectoriesAreCreated() async throws {
        try await withSpool(sink: FakeSink()) { _, spool in
            for sub in ["tmp", "new", "done", "failed"] {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: spool.path(sub), isDirectory: &isDirectory))
                #expect(isDirectory.boolValue, "\(sub)")
            }
        }
    }
}
