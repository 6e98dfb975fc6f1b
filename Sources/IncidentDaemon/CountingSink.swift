import IncidentCore

/// Counts what a source hands to the pipeline (or, on a standby, to the relay), by source, on the way through;
/// renames position keys on the way (the journal's cursor is `journal:INSTANCE` on a shared store).
struct CountingSink: EventSink {
    let inner: any EventSink
    let metrics: DaemonMetrics
    let source: String
    var positionKeys: [String: String] = [:]

    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        metrics.received(source: source).increment(by: events.count)
        guard !positionKeys.isEmpty else { return await inner.submit(events, positions: positions) }
        var renamed: [String: String] = [:]
        for (key, value) in positions { renamed[positionKeys[key] ?? key] = value }
        return await inner.submit(events, positions: renamed)
    }

    func submit(each submissions: [[Event]]) async -> [IngestTicket] {
        metrics.received(source: source).increment(by: submissions.reduce(0) { $0 + $1.count })
        return await inner.submit(each: submissions)
    }
}
