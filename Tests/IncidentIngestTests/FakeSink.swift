import Foundation
import IncidentCore
import IncidentIngest
import Synchronization

/// An in-memory `EventSink` for the source tests: records what it got, and can commit at once, commit late
/// and out of order, hold every commit, block in `submit` (a full pipeline), or fail. Its committed positions
/// are the spool source's position store, as the daemon's store is both.
final class FakeSink: EventSink, SpoolPositionStore, Sendable {
    struct Submission: Sendable {
        var events: [Event]
        var positions: [String: String]
    }

    enum Mode: Sendable {
        /// Completes each ticket before `submit` returns.
        case commit
        /// Completes each ticket after a random delay of up to this many microseconds, so commits finish in
        /// another order than the submissions.
        case commitLate(maxMicroseconds: Int)
        /// Keeps every ticket pending until `release()`.
        case hold
        /// Fails every ticket with this error; nothing is committed.
        case fail(IngestError)
    }

    private struct State {
        var mode = Mode.commit
        var blocked = false
        var blockedSubmitters: [CheckedContinuation<Void, Never>] = []
        var entered = 0
        var submissions: [Submission] = []
        var held: [(IngestTicket, Submission)] = []
        var committed: [String: String] = [:]
        var groups: [Int] = []
        var submitLate = 0
    }

    private let state: Mutex<State>

    init(mode: Mode = .commit, committed: [String: String] = [:]) {
        state = Mutex(State(mode: mode, committed: committed))
    }

    /// How many `submit` calls have begun, including those blocked.
    var entered: Int { state.withLock { $0.entered } }
    /// The submissions taken, in order.
    var submissions: [Submission] { state.withLock { $0.submissions } }
    var submitted: Int { state.withLock { $0.submissions.count } }
    /// How many submissions each `submit(each:)` call carried, in order.
    var groups: [Int] { state.withLock { $0.groups } }
    /// The positions committed so far.
    var committed: [String: String] { state.withLock { $0.committed } }

    func isCommitted(_ key: String) -> Bool { state.withLock { $0.committed[key] != nil } }

    func submit(each submissions: [[Event]]) async -> [IngestTicket] {
        state.withLock { $0.groups.append(submissions.count) }
        var tickets: [IngestTicket] = []
        for events in submissions { tickets.append(await submit(events, positions: [:])) }
        return tickets
    }

    func position(_ key: String) async throws -> String? { committed[key] }

    func positions(withPrefix prefix: String) async throws -> [String: String] {
        committed.filter { $0.key.hasPrefix(prefix) }
    }

    func forget(_ positions: [String: String]) async throws -> Int {
        state.withLock { state in
            var removed = 0
            for (key, value) in positions where state.committed[key] == value {
                state.committed[key] = nil
                removed += 1
            }
            return removed
        }
    }

    func setMode(_ mode: Mode) { state.withLock { $0.mode = mode } }

    /// From now on each `submit` takes a random time of up to `maxMicroseconds` before it queues its events, as a
    /// pipeline writing their columns does: submissions overlapped by their caller would then be taken out of order.
    func submitLate(maxMicroseconds: Int) { state.withLock { $0.submitLate = maxMicroseconds } }

    /// From now on `submit` suspends, as when the daemon's pipeline is full.
    func block() { state.withLock { $0.blocked = true } }

    /// Lets blocked and later submissions through.
    func unblock() {
        let waiters = state.withLock { state in
            state.blocked = false
            defer { state.blockedSubmitters = [] }
            return state.blockedSubmitters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Switches to committing at once and commits every held ticket.
    func release() {
        let held = state.withLock { state in
            state.mode = .commit
            defer { state.held = [] }
            return state.held
        }
        for (ticket, submission) in held { commit(ticket, submission) }
    }

    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        let (mustWait, late) = state.withLock { state in
            state.entered += 1
            return (state.blocked, state.submitLate)
        }
        if late > 0 {
            // Input, not a wait: the random pause can only put overlapping submissions out of order, which is what
            // the test looks for. Without it a reader that overlaps them would still pass by luck; with it, a
            // correct reader passes however long each pause is, and the assertions wait for every commit.
            try? await Task.sleep(for: .microseconds(Int.random(in: 0...late)))
        }
        if mustWait {
            await withCheckedContinuation { continuation in
                let stillBlocked = state.withLock { state in
                    if state.blocked { state.blockedSubmitters.append(continuation) }
                    return state.blocked
                }
                if !stillBlocked { continuation.resume() }
            }
        }
        let submission = Submission(events: events, positions: positions)
        let ticket = IngestTicket()
        let mode = state.withLock { state in
            state.submissions.append(submission)
            if case .hold = state.mode { state.held.append((ticket, submission)) }
            return state.mode
        }
        switch mode {
        case .commit:
            commit(ticket, submission)
        case .commitLate(let maxMicroseconds):
            Task {
                // Random commit order is the input under test (replies must still come in line order); the
                // assertions wait for every reply, so the pause cannot make a test pass wrongly.
                try? await Task.sleep(for: .microseconds(Int.random(in: 0...maxMicroseconds)))
                self.commit(ticket, submission)
            }
        case .hold:
            break
        case .fail(let error):
            ticket.complete(.failure(error))
        }
        return ticket
    }

    private func commit(_ ticket: IngestTicket, _ submission: Submission) {
        state.withLock { $0.committed.merge(submission.positions) { _, new in new } }
        // An incident per event, named after its `seq` label, so a reply shows which line it answers.
        let incidents = submission.events.map { "INC-\($0.labels["seq"] ?? "0")" }
        ticket.complete(.success(IngestReceipt(accepted: submission.events.count, incidents: incidents)))
    }
}
