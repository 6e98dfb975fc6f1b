import Foundation
import IncidentCore
import IncidentPostgres
import Logging
import ServiceLifecycle
import Synchronization

/// Leadership of the instances sharing a PostgreSQL store (SPEC §15): `waitToLead` before anything starts, then
/// this service keeps the lease while the daemon runs, and gives it up at the end of a graceful stop.
///
/// It is the first service of the group, so a graceful shutdown stops it last: the pipeline's final commit and
/// checkpoint still carry the term. A leader that loses the lease (another instance took over, or the database
/// stayed unreachable until its own deadline) exits at once with status 75 (EX_TEMPFAIL): the store already
/// refuses its writes and pages, and systemd restarts it as a standby.
struct LeadershipService: Service {
    let store: PostgresStore
    let lease: Duration
    let logger: Logger
    let notifier: SystemdNotifier
    /// This instance's name, under which it reports its role and the relay's lag with each renewal.
    let instance: String
    let relayLag: RelayLag

    /// Takes the lease, waiting as a standby while another instance holds it: `READY=1` with a standby status
    /// (so systemd does not time the start out) and a watchdog ping every pass. Returns the term.
    static func waitToLead(
        store: PostgresStore, instance: String, lease: Duration, failover: Duration, logger: Logger,
        notifier: SystemdNotifier
    ) async throws -> Int64 {
        var announced: LeaderLease?
        while true {
            do {
                if let term = try await store.acquireLeadership(instance: instance, lease: lease) {
                    logger.notice(
                        "leading the store", metadata: ["term": "\(term)", "instance": "\(instance)"])
                    notifier.status("took the lead (term \(term)) of \(store.address); starting")
                    return term
                }
                let current = try await store.leadership()
                try? await store.report(instance: instance, role: "standby", term: nil, relayLag: nil)
                if let current, current != announced {
                    announced = current
                    logger.notice(
                        "standby: another instance leads the store",
                        metadata: ["leader": "\(current.holder)", "term": "\(current.term)"])
                }
                let holder = current.map { "\($0.holder) leads (term \($0.term))" } ?? "another instance leads"
                notifier.send(
                    "READY=1", "STATUS=standby: \(holder); taking over within \(failover) of its failure",
                    "WATCHDOG=1")
            } catch {
                logger.warning("cannot reach the store to take the lead; retrying", metadata: ["error": "\(error)"])
                notifier.send("STATUS=standby: the store does not answer: \(error)", "WATCHDOG=1")
            }
            try await Task.sleep(for: lease / 4)
        }
    }

    func run() async throws {
        // Renewals at a third of the lease: two may fail (a database restart) before the deadline.
        let interval = lease / 3
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // Bounded: the pool waits for a connection as long as the database is down, and the deadline
                // below must be checked all the same.
                let renewed = await withDeadline(interval) { [store, instance, relayLag] in
                    let renewed = try await store.renewLeadership(lease: lease)
                    if renewed {
                        try? await store.report(
                            instance: instance, role: "leader", term: store.term, relayLag: relayLag.value)
                    }
                    return renewed
                }
                switch renewed {
                case .success(false): lost("another instance took over")
                case .success(true): break
                case .failure(let error):
                    logger.warning("cannot renew the lead; retrying", metadata: ["error": "\(error)"])
                }
                if !store.leads { lost("the store stayed unreachable until the lease ran out") }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } onGracefulShutdown: {
        }
        // Stopped last, after the final commit: the next leader need not wait out the lease.
        do {
            try await store.releaseLeadership()
            logger.notice("gave up the lead", metadata: ["term": "\(store.term ?? 0)"])
        } catch {
            logger.warning("cannot give up the lead; it runs out by itself", metadata: ["error": "\(error)"])
        }
    }

    private func lost(_ why: String) -> Never {
        logger.critical(
            "lost the lead of the store; stopping at once so that nothing is paged twice",
            metadata: ["why": "\(why)", "term": "\(store.term ?? 0)"])
        notifier.send("STATUS=lost the lead: \(why)")
        exit(75)
    }
}

/// The relay rows the leader has not taken yet, as its `RelayFollower` last saw; reported with each renewal.
final class RelayLag: Sendable {
    private let events = Atomic<Int64>(0)

    var value: Int64 { events.load(ordering: .relaxed) }

    func set(_ value: Int64) { events.store(value, ordering: .relaxed) }
}
