import ServiceLifecycle

/// Runs the ingest pipeline as a service: on graceful shutdown it stops taking input, commits what is queued
/// and saves a final checkpoint before returning. It is the first service of the group, so it stops last.
struct PipelineService: Service {
    let pipeline: IngestPipeline

    func run() async throws {
        await withGracefulShutdownHandler {
            await pipeline.run()
        } onGracefulShutdown: {
            Task { await pipeline.stop() }
        }
    }
}
