import IncidentCore

/// Counts what a source hands to the pipeline, by source, on the way through.
struct CountingSink: EventSink {
    let inner: IngestPipeline
    let metrics: DaemonMetrics
    let source: String

    func submit(_ events: [Event], positions: [String: String]) async -> IngestTicket {
        metrics.received(source: source).increment(by: events.count)
        return await inner.submit(events, positions: positions)
    }
}
