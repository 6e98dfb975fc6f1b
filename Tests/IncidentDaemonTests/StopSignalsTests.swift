import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import IncidentDaemon

/// A stop asked for between two service groups (a standby that has just taken the lead) is not lost: driven
/// with `request()`, as the trapped signals call it, and real service groups.
@Suite struct StopSignalsTests {
    /// How many services saw their group shut down gracefully.
    final class Count: Sendable {
        let value = Atomic<Int>(0)
        var now: Int { value.load(ordering: .relaxed) }
    }

    /// Says it started, then runs until its group shuts down gracefully, and counts that.
    struct Waiter: Service {
        let stopped: Count
        var started: AsyncStream<Void>.Continuation? = nil

        func run() async throws {
            started?.yield()
            try? await gracefulShutdown()
            stopped.value.add(1, ordering: .relaxed)
        }
    }

    static func group(_ service: Waiter) -> ServiceGroup {
        ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: Logger(label: "test")))
    }

    @Test func aStopAskedBeforeAGroupStartsStopsItAsItStarts() async throws {
        let stop = StopSignals()
        #expect(!stop.requested)
        await stop.request()
        #expect(stop.requested)
        let stopped = Count()
        // Without the remembered stop this group would run for ever, and the test would not end.
        try await stop.run(Self.group(Waiter(stopped: stopped)))
        #expect(stopped.now == 1)
    }

    @Test func aStopStopsTheGroupThatRunsAndTheNextOne() async throws {
        let stop = StopSignals()
        let first = Count()
        let (started, starting) = AsyncStream<Void>.makeStream()
        let running = Task { try await stop.run(Self.group(Waiter(stopped: first, started: starting))) }
        for await _ in started { break }
        #expect(first.now == 0)
        await stop.request()
        try await running.value
        #expect(first.now == 1)
        // The next group (the leader's, after the standby's) stops too.
        let second = Count()
        try await stop.run(Self.group(Waiter(stopped: second)))
        #expect(second.now == 1)
    }
}
