import IncidentCore
import PostgresNIO
import Synchronization

/// Who leads the instances sharing this database (SPEC §15): a lease row decided by PostgreSQL, with a term for
/// fencing.
///
/// - An instance takes the lease when it is free or expired (by the database's clock), with the next term.
/// - The leader renews it; every write it makes first checks, under a share lock on the row, that its term is
///   still the current one, so a takeover (an update of that row) waits for a write in flight and every later
///   write of the old leader fails with `deposed`.
/// - The leader also keeps its own deadline, from the moment it sent the renewal that succeeded: its lease on
///   the database cannot run out before that deadline, so when it can no longer reach the database it stops
///   (every fenced call fails) before another instance may take over.
public struct LeaderLease: Sendable, Hashable {
    public var holder: String
    public var term: Int64
    /// Whether the lease ran out by the database's clock.
    public var expired: Bool

    public init(holder: String, term: Int64, expired: Bool) {
        self.holder = holder
        self.term = term
        self.expired = expired
    }
}

/// The term this store writes under, and until when (this process's clock) it may.
final class Fence: Sendable {
    struct State {
        var term: Int64
        var validUntil: ContinuousClock.Instant
    }

    let state = Mutex<State?>(nil)
}

extension PostgresStore {
    /// Takes the lease for `instance` when it is free or expired; returns the new term, or nil when another
    /// instance holds it. On success the store writes under that term from now on.
    public func acquireLeadership(instance: String, lease: Duration) async throws -> Int64? {
        let started = ContinuousClock.now
        var sql = SQL("UPDATE incidentd_leader SET holder = ")
        let holder = sql.bind(instance)
        let microseconds = sql.bind(Self.microseconds(lease))
        sql.text +=
            "\(holder), term = term + 1, expires_at = clock_timestamp() + \(microseconds) * INTERVAL '1 microsecond' "
            + "WHERE id = 1 AND expires_at < clock_timestamp() RETURNING term"
        let term: Int64? = try await write("take the lead in", fenced: false) { [sql] connection in
            try await connection.rows(sql, logger: self.logger).first
                .map { try RowReader($0, "incidentd_leader", self).get("term") }
        }
        if let term { fence.state.withLock { $0 = .init(term: term, validUntil: Self.deadline(started, lease)) } }
        return term
    }

    /// Extends the lease of `term`; false when another instance took it (the store then refuses every fenced
    /// call).
    public func renewLeadership(lease: Duration) async throws -> Bool {
        guard let term = fence.state.withLock({ $0?.term }) else { return false }
        let started = ContinuousClock.now
        var sql = SQL("UPDATE incidentd_leader SET expires_at = clock_timestamp() + ")
        sql.text +=
            "\(sql.bind(Self.microseconds(lease))) * INTERVAL '1 microsecond' WHERE id = 1 AND term = "
            + "\(sql.bind(term)) RETURNING term"
        let renewed = try await write("renew the lead in", fenced: false) { [sql] connection in
            try await !connection.rows(sql, logger: self.logger).isEmpty
        }
        fence.state.withLock { state in
            guard state?.term == term else { return }
            if renewed {
                state?.validUntil = Self.deadline(started, lease)
            } else {
                state?.validUntil = started
            }
        }
        return renewed
    }

    /// Ends this store's lease at once (a graceful stop), so that a standby takes over without waiting for it to
    /// run out. Writes under the term are refused from now on.
    public func releaseLeadership() async throws {
        guard let term = fence.state.withLock({ $0?.term }) else { return }
        fence.state.withLock { $0?.validUntil = .now }
        var sql = SQL("UPDATE incidentd_leader SET expires_at = '-infinity' WHERE id = 1 AND term = ")
        sql.text += sql.bind(term)
        try await write("give up the lead in", fenced: false) { [sql] connection in
            try await connection.run(sql, logger: self.logger)
        }
    }

    /// Who holds the lease now, or nil when nobody ever did.
    public func leadership() async throws -> LeaderLease? {
        try await read("read who leads") { connection in
            try await connection.rows(
                SQL(
                    "SELECT holder, term, expires_at < clock_timestamp() AS expired FROM incidentd_leader WHERE id = 1"),
                logger: self.logger
            ).first.flatMap {
                let r = RowReader($0, "incidentd_leader", self)
                let term: Int64 = try r.get("term")
                guard term > 0 else { return nil }
                return LeaderLease(holder: try r.get("holder"), term: term, expired: try r.get("expired"))
            }
        }
    }

    /// The term this store writes under, when it leads.
    public var term: Int64? { fence.state.withLock { $0?.term } }

    /// Whether this process's deadline for its lease has not passed.
    public var leads: Bool {
        fence.state.withLock { state in state.map { ContinuousClock.now < $0.validUntil } ?? false }
    }

    /// Inside a write transaction of a leader: fails with `deposed` unless its term is still the current one and
    /// its own deadline has not passed. The share lock holds a takeover back until this transaction ends.
    func checkFence(on connection: PostgresConnection) async throws {
        try checkDeadline()
        guard let fenced = fence.state.withLock({ $0 }) else { return }
        let current = try await connection.rows(
            SQL("SELECT term, holder FROM incidentd_leader WHERE id = 1 FOR SHARE"), logger: logger
        ).first.map { try RowReader($0, "incidentd_leader", self).get("term", Int64.self) }
        guard current == fenced.term else {
            fence.state.withLock { $0?.validUntil = .now }
            throw deposed("another instance leads under term \(current ?? 0); this one led under \(fenced.term)")
        }
    }

    /// Fails with `deposed` when this store led and its own deadline has passed.
    func checkDeadline() throws {
        guard let fenced = fence.state.withLock({ $0 }), ContinuousClock.now >= fenced.validUntil else { return }
        throw deposed("its lease ran out before it could renew it (term \(fenced.term))")
    }

    func deposed(_ why: String) -> StoreError {
        StoreError(
            .deposed, store: address,
            message: "this instance no longer leads the store \(address): \(why); its write was refused.")
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }

    /// The local deadline of a lease whose renewal was sent at `started`: a tenth earlier than the lease, for
    /// clocks that run at slightly different rates.
    static func deadline(_ started: ContinuousClock.Instant, _ lease: Duration) -> ContinuousClock.Instant {
        started + lease * 0.9
    }
}
