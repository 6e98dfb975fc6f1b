import IncidentCore
import IncidentPostgres
import Logging
import Prometheus
import ServiceLifecycle

/// The leader's side of the relay (SPEC §15): takes what the standbys' sources committed, in relay id order
/// (commit order), into the pipeline. Each batch is committed as events with the position `relay` in the same
/// transaction, so after a crash or a takeover the next leader goes on after the last batch committed: no
/// relayed event is lost or taken twice.
///
/// Events reach the engine in the order of their commits to the relay, interleaved with the leader's own
/// sources as they come; the engine orders nothing by arrival across instances, only by each event's time.
struct RelayFollower: Service {
    let store: PostgresStore
    let sink: any EventSink
    let logger: Logger
    /// The rows the standbys committed and the leader has not yet: its replay lag, in events.
    let lag: Gauge
    /// The same figure for the lease renewals, which record it in the store for `incidentctl status --store`.
    let lagValue: RelayLag
    var batchSize = 2048
    /// How long an idle relay is left before it is asked again: what a standby's event waits at most.
    var idle: Duration = .milliseconds(100)

    func run() async throws {
        var position: Int64? = nil
        while position == nil && !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                position = Int64(try await store.sourcePosition(PostgresStore.relayPositionKey) ?? "0") ?? 0
            } catch {
                logger.warning("cannot read the relay's position; retrying", metadata: ["error": "\(error)"])
                await Self.pause(.seconds(1))
            }
        }
        while let current = position, !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if let last = try await pass(after: current) {
                    position = last
                } else {
                    await Self.pause(idle)
                }
            } catch {
                logger.warning("cannot take relayed events; retrying", metadata: ["error": "\(error)"])
                await Self.pause(.seconds(1))
            }
        }
    }

    /// Takes the next batch after `position`; returns its last id, or nil when there was none.
    func pass(after position: Int64) async throws -> Int64? {
        let rows = try await store.relayed(after: position, limit: batchSize)
        let behind = max(0, try await store.lastRelayed() - position)
        lag.set(behind)
        lagValue.set(behind)
        guard let last = rows.last?.id else { return nil }
        try await take(rows.map(\.event), through: last)
        do {
            try await store.forgetRelayed(through: last)
        } catch {
            // Harmless: the position says they were taken, and the next prune removes them.
            logger.info("cannot prune the relay yet", metadata: ["error": "\(error)"])
        }
        return last
    }

    /// Sleeps, ending early on a graceful shutdown.
    static func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// Commits the events with the relay's position. A batch the pipeline refuses as invalid (it was checked by
    /// the standby that read it, so a newer limit in this instance's config) goes one event at a time, and an event
    /// refused alone is logged and passed over, so one cannot hold the relay back for ever.
    func take(_ events: [Event], through last: Int64) async throws {
        let key = PostgresStore.relayPositionKey
        let result = await sink.submit(events, positions: [key: String(last)]).result()
        guard case .failure(let error) = result else { return }
        guard error.code == .invalid else { throw error }
        for (index, event) in events.enumerated() {
            let through = String(last - Int64(events.count - 1 - index))
            let one = await sink.submit([event], positions: [key: through]).result()
            guard case .failure(let error) = one else { continue }
            guard error.code == .invalid else { throw error }
            logger.warning(
                "a relayed event was refused; passed over", metadata: ["relay_id": "\(through)", "error": "\(error)"])
            _ = try await sink.ingest([], positions: [key: through])
        }
    }
}

extension IngestTicket {
    /// The outcome of the submission, once complete.
    func result() async -> Result<IngestReceipt, IngestError> {
        do { return .success(try await receipt()) } catch { return .failure(error) }
    }
}
