import Foundation
import IncidentCore
import Logging
import Synchronization

extension JournalSource {
    /// A submitted batch awaiting its commit.
    struct InFlight {
        var submission: Submission
        var cursor: String
        var entries: Int
    }

    /// Why `follow` returned.
    enum FollowEnd {
        case stopped
        case reopen
        /// The matches changed: open again at once with the new ones, after the last entry read.
        case refilter
    }

    var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// The reading thread's body: open, position, follow; reopen after failures until asked to stop.
    func readLoop(from storedCursor: String?) {
        var committed = storedCursor
        var reportedFailure: String?
        while !stopping {
            let reader: JournalReader
            do {
                reader = try open()
                // With no cursor yet, the entry the reader starts after stands in for one: a failed first
                // commit then goes back there, not to the (moving) end.
                committed = try position(reader, after: committed) ?? committed
            } catch {
                openFailures.add(1, ordering: .relaxed)
                isOpen.store(false, ordering: .relaxed)
                let message =
                    "cannot open the journal (\(configuration.location)): \(error); check that it exists and that "
                    + "incidentd may read it (group systemd-journal); trying again every \(configuration.reopenDelay)"
                if reportedFailure != message {
                    logger.error(
                        "journal source cannot open the journal",
                        metadata: ["journal": "\(configuration.location)", "error": "\(error)"])
                    onHealth(.unavailable(message))
                    reportedFailure = message
                }
                readiness.complete(.success(()))
                pause(configuration.reopenDelay)
                continue
            }
            reportedFailure = nil
            isOpen.store(true, ordering: .relaxed)
            onHealth(.open)
            readiness.complete(.success(()))
            logger.info(
                "journal source reading",
                metadata: [
                    "journal": "\(configuration.location)", "resume": "\(committed != nil)",
                    "start_at": "\(configuration.startAt.rawValue)",
                    "matches": "\(filter.withLock { $0.current.summary })",
                ])
            let end = follow(reader, committed: &committed)
            isOpen.store(false, ordering: .relaxed)
            if end == .stopped { break }
            if end == .reopen { pause(configuration.reopenDelay) }
        }
    }

    func open() throws(JournalReader.Failure) -> JournalReader {
        let reader: JournalReader
        switch configuration.location {
        case .local: reader = try JournalReader(.local)
        case .directory(let path):
            // libsystemd opens a missing directory without complaint and then reports nothing, forever.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw JournalReader.Failure(operation: "opening directory \(path)", errno: -ENOENT) }
            reader = try JournalReader(.directory(path))
        }
        let current = filter.withLock { state in
            state.changed = false
            return state.current
        }
        try current.apply(to: reader)
        return reader
    }

    /// Places the reader so that `next()` returns the first entry not yet committed; returns the cursor of
    /// the entry it now stands on when that is where reading starts after (`start_at: end`).
    @discardableResult
    func position(_ reader: JournalReader, after cursor: String?) throws(JournalReader.Failure) -> String? {
        guard let cursor else {
            switch configuration.startAt {
            case .beginning:
                reader.seekHead()
                return nil
            case .end:
                reader.seekTail()
                // Onto the last entry, so the next `next()` returns the first entry written after now.
                return try reader.previous() ? reader.cursor() : nil
            }
        }
        try reader.seek(cursor: cursor)
        // Seeking lands on the cursor's own entry, which is committed already; if it is gone (vacuumed) or no
        // longer matches, `next()` lands on the first later entry, which is not, so step back before it.
        if try reader.next(), !reader.isAt(cursor: cursor) {
            _ = try reader.previous()
        }
        return nil
    }

    /// Reads, submits and follows until stopped or the journal fails; `committed` tracks the last committed
    /// cursor.
    func follow(_ reader: JournalReader, committed: inout String?) -> FollowEnd {
        var inFlight: [InFlight] = []
        while true {
            if stopping {
                _ = settle(&inFlight, all: true, committed: &committed)
                return .stopped
            }
            if filter.withLock({ $0.changed }) {
                // Once everything read is committed, `committed` is the last entry read: reopen after it.
                _ = settle(&inFlight, all: true, committed: &committed)
                logger.notice("journal source matches changed; reopening the journal after the last entry read")
                return .refilter
            }
            var events: [Event] = []
            var entries = 0
            var atEnd = false
            let receivedAt = now()
            do {
                while entries < configuration.maxBatchEntries {
                    guard try reader.next() else {
                        atEnd = true
                        break
                    }
                    entries += 1
                    do {
                        events.append(try reader.event(receivedAt: receivedAt))
                    } catch {
                        skipUnmappable(error, reader: reader)
                    }
                }
            } catch {
                logger.error(
                    "journal source cannot read the journal; it opens it again",
                    metadata: ["journal": "\(configuration.location)", "error": "\(error)"])
                onHealth(.unavailable("cannot read the journal: \(error)"))
                _ = settle(&inFlight, all: true, committed: &committed)
                return .reopen
            }
            entriesRead.add(entries, ordering: .relaxed)
            if entries > 0, let cursor = reader.cursor() {
                // The previous batch is queued before this one is submitted, so that the pipeline takes them in the
                // journal's order; this one is not waited for: the pipeline writes its events' columns
                // (`EventSink.submit`) while this thread reads the next batch. Waiting for each submission kept
                // the two apart, and neither stage had a core's worth of work (BENCHMARKS.md, issue 16).
                inFlight.last?.submission.waitQueued()
                let submission = Submission(sink: sink, events: consume events, cursor: cursor)
                inFlight.append(InFlight(submission: submission, cursor: cursor, entries: entries))
            }
            // Caught up: let the commits land (the cursor is then stored) before sleeping in the wait.
            let full = inFlight.count >= configuration.maxBatchesInFlight
            if !settle(&inFlight, all: atEnd, oldest: full, committed: &committed) {
                if stopping { return .stopped }
                // Read again from the last cursor whose events are in the store.
                do {
                    try position(reader, after: committed)
                } catch {
                    return .reopen
                }
                pause(configuration.retryDelay)
                continue
            }
            guard atEnd else { continue }
            do {
                if try reader.wait(timeout: configuration.waitTimeout) == .invalidate {
                    invalidations.add(1, ordering: .relaxed)
                }
            } catch {
                logger.error(
                    "journal source cannot wait for the journal; it opens it again",
                    metadata: ["journal": "\(configuration.location)", "error": "\(error)"])
                _ = settle(&inFlight, all: true, committed: &committed)
                return .reopen
            }
        }
    }

    /// Takes finished commits off the front of `inFlight`; with `all`, waits for every one, with `oldest`, for
    /// at least the first. Returns false when a commit failed: every later one has then been waited for too,
    /// and `committed` is the cursor to read again from.
    ///
    /// After a failed commit a later batch may still have committed; reading again from the earlier cursor then
    /// ingests that batch twice. That is the one case of duplicates, chosen over losing the failed batch.
    func settle(_ inFlight: inout [InFlight], all: Bool, oldest: Bool = false, committed: inout String?) -> Bool {
        var mustWait = all || oldest
        while let first = inFlight.first, mustWait || first.submission.isCommitted {
            inFlight.removeFirst()
            mustWait = all
            let ticket = first.submission.waitQueued()
            let result = blockingAwait { () -> Result<IngestReceipt, IngestError> in
                do throws(IngestError) { return .success(try await ticket.receipt()) } catch { return .failure(error) }
            }
            switch result {
            case .success:
                entriesCommitted.add(first.entries, ordering: .relaxed)
                committed = first.cursor
            case .failure(let error) where error.code == .invalid:
                // The pipeline refused the events themselves; reading them again would refuse them again.
                entriesUnmappable.add(first.entries, ordering: .relaxed)
                logger.error(
                    "journal entries refused by the pipeline; skipped",
                    metadata: ["entries": "\(first.entries)", "error": "\(error)"])
            case .failure(let error):
                if error.code != .shuttingDown {
                    commitFailures.add(1, ordering: .relaxed)
                    logger.warning(
                        "journal batch not committed; reading again from the last committed cursor",
                        metadata: ["entries": "\(first.entries)", "error": "\(error)"])
                }
                for rest in inFlight {
                    let ticket = rest.submission.waitQueued()
                    _ = blockingAwait { () -> Bool in (try? await ticket.receipt()) != nil }
                }
                inFlight.removeAll()
                if error.code == .shuttingDown { stopRequested.store(true, ordering: .relaxed) }
                return false
            }
        }
        return true
    }

    func skipUnmappable(_ error: PayloadError, reader: JournalReader) {
        let count = entriesUnmappable.add(1, ordering: .relaxed).newValue
        // Constant text; the first few in full, then every thousandth, so a bad writer cannot flood the log.
        if count <= 10 || count % 1000 == 0 {
            logger.warning(
                "journal entry cannot be mapped; skipped",
                metadata: [
                    "code": "\(error.code)", "error": "\(error.message)", "cursor": "\(reader.cursor() ?? "?")",
                    "skipped_so_far": "\(count)",
                ])
        }
    }

    /// Sleeps the reading thread in short slices, so a stop is noticed quickly.
    func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !stopping && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

extension JournalSource {
    /// A batch handed to the sink from the journal thread without waiting there for the sink to queue it.
    final class Submission: Sendable {
        private let ticket = Mutex<IngestTicket?>(nil)
        private let queued = DispatchSemaphore(value: 0)

        init(sink: any EventSink, events: [Event], cursor: String) {
            Task { [self] in
                let ticket = await sink.submit(events, positions: [JournalSource.positionKey: cursor])
                self.ticket.withLock { $0 = ticket }
                queued.signal()
            }
        }

        /// Blocks the journal thread until the sink has queued the batch; its ticket.
        @discardableResult
        func waitQueued() -> IngestTicket {
            if let ticket = ticket.withLock({ $0 }) { return ticket }
            queued.wait()
            // Signalled once: later calls find the ticket above.
            return ticket.withLock { $0! }
        }

        /// Whether the batch is queued and its commit has returned (or failed).
        var isCommitted: Bool { ticket.withLock { $0?.isComplete ?? false } }
    }
}

/// Runs async work from the journal thread and blocks that thread (never a pool thread) until it is done.
func blockingAwait<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await work()
        box.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return box.withLock { $0! }
}
