import IncidentCore
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The spool-directory source: webhook payload files dropped into `new/` are ingested once each and moved to
/// `done/`, or to `failed/` with a `NAME.error` file saying why (SPEC §3, §4, §9).
///
/// A file's events are committed together with the position `spool:NAME` → which file it was (device, inode,
/// modification time, size: `SpoolPosition`); only then is the file moved. A file found in `new/` that is the
/// very file of a committed position (the daemon stopped in between) is moved to `done/` without being
/// ingested again; a new file that reuses the name is ingested. When the sink cannot commit, or the file cannot
/// be opened for a passing reason (out of descriptors), files stay in `new/` and are retried with back-off;
/// they never go to `failed/` for that. Positions are pruned after `keep_done`, as `done/` is.
public final class SpoolSource: Service, Sendable {
    /// Where the spool is and how it is looked after.
    public let configuration: SpoolSourceConfiguration
    let directory: SpoolDirectory
    let decoder: PayloadDecoder
    let sink: any EventSink
    let logger: Logger
    let positions: any SpoolPositionStore
    let threadPool: NIOThreadPool
    let now: @Sendable () -> Timestamp
    let readiness = ReadySignal()

    let filesDone = Atomic<Int>(0)
    let filesFailed = Atomic<Int>(0)
    let filesAlreadyCommitted = Atomic<Int>(0)
    let retries = Atomic<Int>(0)
    let filesPurged = Atomic<Int>(0)
    let filesDeferred = Atomic<Int>(0)
    let positionsPruned = Atomic<Int>(0)

    /// Makes the source; nothing is touched before `run()`.
    ///
    /// - Parameters:
    ///   - decoder: detects and decodes each file's format; its `maxPayloadBytes` bounds what is read.
    ///   - sink: where the events go, with the position `spool:NAME` → the file's `SpoolPosition`.
    ///   - positions: the committed positions (`spool:NAME`), asked before every file is ingested and pruned
    ///     after `keep_done`. A throw counts as the store being unavailable.
    ///   - threadPool: runs the blocking file operations.
    ///   - now: arrival times, the age of files in `new/` and `done/`, of positions.
    public convenience init(
        configuration: SpoolSourceConfiguration, decoder: PayloadDecoder, sink: any EventSink, logger: Logger,
        positions: any SpoolPositionStore, threadPool: NIOThreadPool = .singleton,
        now: @escaping @Sendable () -> Timestamp = Timestamp.wallClock
    ) {
        self.init(
            configuration: configuration, directory: SpoolDirectory(root: configuration.path), decoder: decoder,
            sink: sink, logger: logger, positions: positions, threadPool: threadPool, now: now)
    }

    /// As the public initializer, on a given directory (a test's, whose file operations can fail on demand).
    init(
        configuration: SpoolSourceConfiguration, directory: SpoolDirectory, decoder: PayloadDecoder,
        sink: any EventSink, logger: Logger, positions: any SpoolPositionStore, threadPool: NIOThreadPool = .singleton,
        now: @escaping @Sendable () -> Timestamp = Timestamp.wallClock
    ) {
        self.configuration = configuration
        self.directory = directory
        self.decoder = decoder
        self.sink = sink
        self.logger = logger
        self.positions = positions
        self.threadPool = threadPool
        self.now = now
    }

    /// The position key a file's commit is recorded under.
    public static func positionKey(forFile name: String) -> String { positionPrefix + name }

    /// Returns once the spool's directories exist and `new/` is watched; throws the error that kept it from
    /// opening. The daemon awaits this for every source before it sends READY=1.
    public func ready() async throws(SourceError) {
        try await readiness.wait()
    }

    /// The counts so far.
    public var counters: SpoolSourceCounters {
        SpoolSourceCounters(
            filesDone: filesDone.load(ordering: .relaxed), filesFailed: filesFailed.load(ordering: .relaxed),
            filesAlreadyCommitted: filesAlreadyCommitted.load(ordering: .relaxed),
            retries: retries.load(ordering: .relaxed), filesPurged: filesPurged.load(ordering: .relaxed),
            filesDeferred: filesDeferred.load(ordering: .relaxed),
            positionsPruned: positionsPruned.load(ordering: .relaxed))
    }

    /// Watches and ingests until graceful shutdown or cancellation; a file being ingested is finished first.
    public func run() async throws {
        let watcher: SpoolWatcher
        do throws(SourceError) {
            let directory = self.directory
            do {
                try await threadPool.runIfActive { try directory.create() }
            } catch let error as SourceError {
                throw error
            } catch {
                throw SourceError(.spoolDirectory, path: directory.root, message: "cannot prepare the spool: \(error)")
            }
            // Watching before the first scan: a file arriving in between is seen by one or the other.
            watcher = try SpoolWatcher(directory: directory.new)
        } catch {
            readiness.complete(.failure(error))
            throw error
        }
        defer { watcher.stop() }
        readiness.complete(.success(()))
        logger.info("spool source watching", metadata: ["path": "\(configuration.path)"])

        await withDiscardingTaskGroup { group in
            let interval = configuration.rescanInterval
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    watcher.wake()
                }
            }
            // The first pass takes the files written while the daemon was down.
            watcher.wake()
            var complete = Set<String>()
            var failures = 0
            var lastPurge: ContinuousClock.Instant?
            for await _ in watcher.wakes.cancelOnGracefulShutdown() {
                if lastPurge.map({ $0.duration(to: .now) >= configuration.purgeInterval }) ?? true {
                    lastPurge = .now
                    await purgeDone()
                    await prunePositions()
                }
                if await pass(watcher: watcher, complete: &complete) {
                    failures = 0
                    continue
                }
                retries.add(1, ordering: .relaxed)
                let delay = retryDelay(after: failures)
                failures += 1
                logger.warning(
                    "spool source waits before retrying",
                    metadata: ["path": "\(configuration.path)", "delay": "\(delay)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                watcher.wake()
            }
            group.cancelAll()
        }
        logger.info("spool source stopped", metadata: ["path": "\(configuration.path)"])
    }

    func retryDelay(after failures: Int) -> Duration {
        var delay = configuration.retryDelay
        for _ in 0..<min(failures, 32) where delay < configuration.maxRetryDelay { delay *= 2 }
        return min(delay, configuration.maxRetryDelay)
    }

    /// The prefix of every position key this source commits.
    static let positionPrefix = "spool:"

    /// Forgets the positions committed longer than `keep_done` ago, as their files leave `done/`, so the store
    /// does not keep a row per file for ever.
    ///
    /// A position whose name is in `new/` stays whatever its age: its file may be the one a crash left there
    /// after the commit (an earlier version's positions have no time), and forgetting it would ingest that
    /// file twice.
    func prunePositions() async {
        guard let keep = configuration.keepDone else { return }
        let directory = self.directory
        let cutoff = now() - keep
        do {
            let stored = try await positions.positions(withPrefix: Self.positionPrefix)
            guard !stored.isEmpty else { return }
            let waiting = Set(try await threadPool.runIfActive { try directory.listNew() }.map(\.name))
            let stale = stored.filter { key, value in
                !waiting.contains(String(key.dropFirst(Self.positionPrefix.count)))
                    && SpoolPosition(text: value).isOlder(than: cutoff)
            }
            guard !stale.isEmpty else { return }
            let removed = try await positions.forget(stale)
            positionsPruned.add(removed, ordering: .relaxed)
            logger.info("spool source pruned old positions", metadata: ["count": "\(removed)"])
        } catch {
            logger.warning(
                "spool source cannot prune old positions; will try again", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes files in `done/` older than `keep_done`.
    func purgeDone() async {
        guard let keep = configuration.keepDone else { return }
        let directory = self.directory
        let cutoff = now() - keep
        do {
            let removed = try await threadPool.runIfActive { directory.purgeDone(before: cutoff) }
            if removed > 0 {
                filesPurged.add(removed, ordering: .relaxed)
                logger.info("spool source purged done files", metadata: ["count": "\(removed)"])
            }
        } catch {
            logger.error("spool source cannot purge done files", metadata: ["error": "\(error)"])
        }
    }
}
