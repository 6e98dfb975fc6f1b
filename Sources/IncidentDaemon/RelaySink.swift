import IncidentCore
import IncidentPostgres

/// Where a standby's sources hand their events (SPEC §15): the shared store's relay, committed with their
/// positions before the source acknowledges. The leader's `RelayFollower` takes them into its engine, so the
/// reply names no incident.
struct RelaySink: EventSink {
    let store: PostgresStore
    /// The instance's name, kept with each row (the lease's holder name).
    let instance: String

    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        do {
            try await store.relay(events, positions: positions, from: instance)
            return IngestTicket(.success(IngestReceipt(accepted: events.count, incidents: [])))
        } catch {
            return IngestTicket(.failure(IngestError(.storeFailed, "the store could not commit: \(error)")))
        }
    }
}
