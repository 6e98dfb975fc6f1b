import Testing

@testable import IncidentDaemon

/// The watchdog's schedule without wall time: the loop pings once per pass and pauses `tick` between passes,
/// so the ping period is `tick`. The integration test only checks that pings arrive.
@Suite struct WatchdogScheduleTests {
    @Test(arguments: [
        // WATCHDOG_USEC, status interval, the pause: half of WATCHDOG_USEC...
        (UInt64(400_000), Duration.seconds(5), Duration.milliseconds(200)),
        (UInt64(30_000_000), Duration.seconds(30), Duration.seconds(15)),
        (UInt64(1_000_001), Duration.seconds(5), Duration.microseconds(500_000)),
        // ... but never longer than the status interval, so STATUS= stays as fresh as configured.
        (UInt64(20_000_000), Duration.seconds(5), Duration.seconds(5)),
        (UInt64(10_000_000), Duration.seconds(5), Duration.seconds(5)),
        (UInt64.max, Duration.seconds(5), Duration.seconds(5)),
    ])
    func theWatchdogIsPingedAtHalfOfWatchdogUsec(usec: UInt64, statusInterval: Duration, tick: Duration) {
        #expect(StatusService.tick(watchdogUsec: usec, statusInterval: statusInterval) == tick)
    }

    @Test func withoutAWatchdogTheLoopRunsAtTheStatusInterval() {
        #expect(StatusService.tick(watchdogUsec: nil, statusInterval: .seconds(5)) == .seconds(5))
        #expect(StatusService.tick(watchdogUsec: nil, statusInterval: .milliseconds(250)) == .milliseconds(250))
    }

    /// A ping every `tick` keeps systemd content only if two pings are never WATCHDOG_USEC apart: the pause
    /// leaves half of it for the pass itself, whatever the value.
    @Test(arguments: [UInt64(2), 1_000, 400_000, 3_000_000, 60_000_000])
    func thePauseLeavesHalfOfTheTimeoutForThePass(usec: UInt64) {
        let tick = StatusService.tick(watchdogUsec: usec, statusInterval: .seconds(3600))
        #expect(tick * 2 <= .microseconds(Int64(usec)))
        #expect(tick > .zero)
    }
}
