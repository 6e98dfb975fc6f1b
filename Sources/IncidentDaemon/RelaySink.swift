import IncidentCore
import IncidentPostgres
import Synchronization

/// Where a standby's sources hand their events (SPEC §15): the shared store's relay, committed with their
/// positions before the source acknowledges. The leader's `RelayFollower` takes them into its engine, so the
/// reply names no incident.
///
/// Group commit: `submit` queues the submission and returns its ticket at once, so a client that pipelines lines
/// is not held to one transaction per line; one run commits every submission queued so far in one transaction,
/// in arrival order, and completes their tickets. A source's own submissions keep their order (it awaits
/// `submit` before the next), so its positions only move forward. `submit` suspends while `limit` events are
/// already queued (back-pressure: a source stops reading when the store lags).
final class RelaySink: EventSink {
    private struct Submission {
        let events: [Event]
        let positions: [String: String]
        let ticket: IngestTicket
    }

    private struct State {
        var queued: [Submission] = []
        var queuedEvents = 0
        var running = false
        var waitingForRoom: [CheckedContinuation<Void, Never>] = []
    }

    private let store: PostgresStore
    /// The instance's name, kept with each row (the lease's holder name).
    private let instance: String
    private let limit: Int
    private let state = Mutex(State())

    init(store: PostgresStore, instance: String, limit: Int = 16_384) {
        self.store = store
        self.instance = instance
        self.limit = max(1, limit)
    }

    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        await withCheckedContinuation { room in
            let now = state.withLock { state -> Bool in
                if state.queuedEvents < limit { return true }
                state.waitingForRoom.append(room)
                return false
            }
            if now { room.resume() }
        }
        let ticket = IngestTicket()
        let start = state.withLock { state -> Bool in
            state.queued.append(Submission(events: events, positions: positions, ticket: ticket))
            state.queuedEvents += events.count
            if state.running { return false }
            state.running = true
            return true
        }
        if start { Task { await drain() } }
        return ticket
    }

    /// Commits what is queued, run after run, until nothing is.
    private func drain() async {
        while true {
            let (taken, room) = state.withLock { state in
                let taken = state.queued
                state.queued.removeAll()
                state.queuedEvents = 0
                if taken.isEmpty { state.running = false }
                let room = state.waitingForRoom
                state.waitingForRoom.removeAll()
                return (taken, room)
            }
            for waiter in room { waiter.resume() }
            if taken.isEmpty { return }
            await commit(taken)
        }
    }

    /// One transaction for the whole run. When it fails for a reason other than the store being unreachable,
    /// one submission may be the cause: each is then tried alone, so a bad one loses nothing next to it.
    private func commit(_ run: [Submission]) async {
        var events: [Event] = []
        var positions: [String: String] = [:]
        for submission in run {
            events += submission.events
            positions.merge(submission.positions) { _, later in later }
        }
        do {
            try await store.relay(events, positions: positions, from: instance)
            for submission in run { submission.ticket.complete(.success(Self.receipt(submission))) }
        } catch let error as StoreError where run.count > 1 && error.code != .unavailable {
            for submission in run { await commit([submission]) }
        } catch {
            let failure = IngestError(.storeFailed, "the store could not commit: \(error)")
            for submission in run { submission.ticket.complete(.failure(failure)) }
        }
    }

    private static func receipt(_ submission: Submission) -> IngestReceipt {
        IngestReceipt(accepted: submission.events.count, incidents: [])
    }
}
