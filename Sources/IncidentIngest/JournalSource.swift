import Foundation
import IncidentCore
import Logging
import ServiceLifecycle
import Synchronization

/// The journal source: reads entries through libsystemd, maps them to events (SPEC §4) and commits each batch
/// together with the cursor of its last entry, under the position key `journal` (SPEC §9).
///
/// `sd_journal_*` calls block and an `sd_journal` handle must stay on one thread, so a dedicated `Thread` owns
/// the reader: it reads up to `maxBatchEntries` entries, hands them to a task that submits them, and reads on; it
/// waits only for the batch before to be queued (the journal's order), for the oldest commit when
/// `maxBatchesInFlight` are pending, and in `sd_journal_wait` (with a timeout, so a stop is noticed) once it has
/// caught up. It never runs on the cooperative pool; it only parks there the async calls into the sink.
///
/// A restart seeks to the committed cursor and skips the entry it lands on, so nothing is read twice and
/// nothing is skipped. A journal that cannot be opened is reported (log, `/readyz`) and tried again every
/// `reopenDelay`; the daemon keeps running.
public final class JournalSource: Service, Sendable {
    /// The state the daemon shows on `/readyz`.
    public enum Health: Sendable, Equatable {
        /// The journal is open and followed.
        case open
        /// The journal cannot be opened or read; the message says why and what to do.
        case unavailable(String)
    }

    /// The position key the cursor is committed under.
    public static let positionKey = "journal"

    public let configuration: JournalSourceConfiguration
    let sink: any EventSink
    let logger: Logger
    let storedCursor: @Sendable () async throws -> String?
    let onHealth: @Sendable (Health) -> Void
    let now: @Sendable () -> Timestamp
    let readiness = ReadySignal()
    let stopRequested = Atomic<Bool>(false)
    let filter: Mutex<(current: JournalFilter, changed: Bool)>

    let entriesRead = Atomic<Int>(0)
    let entriesCommitted = Atomic<Int>(0)
    let entriesUnmappable = Atomic<Int>(0)
    let invalidations = Atomic<Int>(0)
    let commitFailures = Atomic<Int>(0)
    let openFailures = Atomic<Int>(0)
    let isOpen = Atomic<Bool>(false)

    /// Makes the source; nothing is opened before `run()`.
    ///
    /// - Parameters:
    ///   - sink: where the events go, with the position `journal` → cursor.
    ///   - storedCursor: the committed cursor (the store's position under `positionKey`), read once at start.
    ///   - onHealth: told when the journal opens or becomes unavailable, for `/readyz`.
    ///   - now: arrival times.
    public init(
        configuration: JournalSourceConfiguration, sink: any EventSink, logger: Logger,
        storedCursor: @escaping @Sendable () async throws -> String?,
        onHealth: @escaping @Sendable (Health) -> Void = { _ in },
        now: @escaping @Sendable () -> Timestamp = Timestamp.wallClock
    ) {
        self.configuration = configuration
        self.sink = sink
        self.logger = logger
        self.storedCursor = storedCursor
        self.onHealth = onHealth
        self.now = now
        self.filter = Mutex((configuration.filter, false))
    }

    /// Returns once the journal has been opened, or found unavailable (then reported through `onHealth` and
    /// tried again later); throws only when the source stopped before trying.
    public func ready() async throws(SourceError) {
        try await readiness.wait()
    }

    /// The counts so far.
    public var counters: JournalSourceCounters {
        JournalSourceCounters(
            entriesRead: entriesRead.load(ordering: .relaxed),
            entriesCommitted: entriesCommitted.load(ordering: .relaxed),
            entriesUnmappable: entriesUnmappable.load(ordering: .relaxed),
            invalidations: invalidations.load(ordering: .relaxed),
            commitFailures: commitFailures.load(ordering: .relaxed),
            openFailures: openFailures.load(ordering: .relaxed), isOpen: isOpen.load(ordering: .relaxed))
    }

    /// Replaces the matches (after a rule reload changed the derived set). The reader installs them before its
    /// next read and carries on after the last entry it read; entries it skipped before are not read again.
    public func update(filter newFilter: JournalFilter) {
        filter.withLock { state in
            guard state.current != newFilter else { return }
            state = (newFilter, true)
        }
    }

    /// Reads and follows the journal until graceful shutdown or cancellation; in-flight batches are committed
    /// first, so the cursor stored is the last one whose events are in the store.
    public func run() async throws {
        let cursor: String?
        do {
            cursor = try await storedCursor()
        } catch {
            let failure = SourceError(
                .journalUnavailable, path: configuration.location.description,
                message: "cannot read the stored journal cursor: \(error)")
            readiness.complete(.failure(failure))
            throw failure
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        readLoop(from: cursor)
                        done.resume()
                    }
                    thread.name = "incidentd-journal"
                    thread.start()
                }
            } onGracefulShutdown: {
                self.stopRequested.store(true, ordering: .relaxed)
            }
        } onCancel: {
            stopRequested.store(true, ordering: .relaxed)
        }
        readiness.complete(
            .failure(SourceError(.stopped, path: configuration.location.description, message: "journal source stopped"))
        )
        logger.info("journal source stopped", metadata: ["journal": "\(configuration.location)"])
    }
}
