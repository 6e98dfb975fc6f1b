/// Where sources hand their events: the daemon's ingest pipeline (engine, then one store transaction).
///
/// A source acknowledges its input (socket reply, HTTP 2xx, spool move, journal cursor) only after the ticket
/// completes successfully, which happens after the transaction holding the events and all their effects has
/// committed (SPEC §9).
public protocol EventSink: Sendable {
    /// Queues events; suspends while the pipeline is full (back-pressure), so a source stops reading when the
    /// store lags. `positions` are source positions (`journal` → cursor, `spool:NAME` → `done`) committed in the
    /// same transaction as the events.
    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket

    /// Queues several submissions in order, one ticket each, as `submit` called for each in turn would: a source
    /// that has framed many lines at once (a socket read) hands them over in one call instead of one per line.
    func submit(each submissions: [[Event]]) async -> [IngestTicket]
}

extension EventSink {
    public func submit(each submissions: [[Event]]) async -> [IngestTicket] {
        var tickets: [IngestTicket] = []
        tickets.reserveCapacity(submissions.count)
        for events in submissions { tickets.append(await submit(events, positions: [:])) }
        return tickets
    }

    /// Submits and waits for the commit.
    public func ingest(_ events: [Event], positions: [String: String] = [:]) async throws(IngestError)
        -> IngestReceipt
    {
        try await submit(events, positions: positions).receipt()
    }
}
