import IncidentCore
import Logging
import ServiceLifecycle

/// Deletes recorded events older than `store.keep_events`, hourly; incidents, alerts and timelines stay.
struct RetentionService: Service {
    let store: any IncidentStore
    let keep: Duration
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let purged = try await store.purgeEvents(olderThan: Timestamp.wallClock() - keep)
                if purged > 0 { logger.info("old events purged", metadata: ["events": "\(purged)"]) }
            } catch {
                logger.warning("purging old events failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
