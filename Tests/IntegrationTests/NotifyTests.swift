import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the daemon tells systemd over `NOTIFY_SOCKET`, read from a fake socket: order, content and the
/// watchdog's timing.
@Suite(.serialized) struct NotifyTests {
    func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    func waitFor(_ timeout: Duration = .seconds(30), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    @Test func readyReloadingAndStoppingArriveInOrderWithJournalCounts() throws {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("journal").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try JournalFiles.write((0..<3).map(JournalFiles.line), to: dir)
        let daemon = try RunningDaemon(rules: journalAppRules, journal: "{ directory: \(dir), start_at: beginning }")
        let ready = try #require(daemon.notify.messages.first { $0.contains("READY=1") })
        #expect(ready.contains("STATUS="))
        #expect(ready.contains("journal"), "\(ready)")

        let beforeReload = monotonicMicroseconds()
        daemon.signal(SIGHUP, wait: false)
        #expect(waitFor { daemon.notify.messages.filter { $0.contains("READY=1") }.count == 2 }, "\(daemon.log())")
        let afterReload = monotonicMicroseconds()
        daemon.signal(SIGTERM)
        #expect(daemon.process.terminationStatus == 0)

        // Keep only the lifecycle messages, in arrival order.
        let lifecycle = daemon.notify.messages.compactMap { message -> String? in
            for key in ["RELOADING=1", "READY=1", "STOPPING=1", "STATUS=stopped"] where message.contains(key) {
                return key
            }
            return nil
        }
        #expect(lifecycle == ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1", "STATUS=stopped"])
        let reloading = try #require(daemon.notify.messages.first { $0.contains("RELOADING=1") })
        let usec = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
            .flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) }
        let stamp = try #require(usec, "RELOADING=1 without MONOTONIC_USEC: \(reloading)")
        #expect(stamp >= beforeReload && stamp <= afterReload)
    }

    @Test func theWatchdogPingsAtHalfOfWatchdogUsec() throws {
        let daemon = try RunningDaemon(rules: daemonRules, watchdogUsec: 400_000)
        usleep(2_500_000)
        let pings = daemon.notify.timedMessages.filter { $0.text.contains("WATCHDOG=1") }.map(\.at)
        daemon.signal(SIGTERM)
        #expect(pings.count >= 8, "\(pings.count) pings in 2.5 s")
        let gaps = zip(pings.dropFirst(), pings).map { ($0 - $1) / .milliseconds(1) }.sorted()
        try #require(!gaps.isEmpty)
        let median = gaps[gaps.count / 2]
        #expect(median > 150 && median < 260, "median interval \(median) ms; all: \(gaps)")
        #expect(gaps.last! < 400, "a gap reached WATCHDOG_USEC: \(gaps)")
    }

    @Test func noWatchdogPingsWhenWatchdogPidNamesAnotherProcess() throws {
        // systemd sets WATCHDOG_PID to the main pid; a child that inherits the variables must not ping.
        let daemon = try RunningDaemon(
            rules: daemonRules, environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"])
        usleep(1_000_000)
        daemon.signal(SIGTERM)
        #expect(!daemon.notify.messages.contains { $0.contains("WATCHDOG=1") })
    }

    /// A rule whose regex backtracks catastrophically on crafted messages (a real-world ReDoS) keeps the engine
    /// busy inside the pipeline: the watchdog must stop pinging, so systemd would restart the daemon. A match is
    /// abandoned after 100 ms (`Pattern.matchDeadline`), so one line carries sixty of them: six seconds in one
    /// engine call.
    @Test func theWatchdogStopsWhenTheEngineIsStuck() throws {
        let rules = """
            rules:
              - name: hang
                match: ['alertname="Hang"', 'message=~"(a+)+b"']
                kind: degradation
                impact: low
                urgency: low
            """
        let daemon = try RunningDaemon(rules: rules, watchdogUsec: 400_000)
        #expect(waitFor { daemon.notify.messages.filter { $0.contains("WATCHDOG=1") }.count >= 3 })
        let client = try LineClient(path: daemon.ingestSocket)
        let crafted = (0..<60).map {
            alertLine(
                ["alertname": "Hang", "n": "\($0)"], annotations: ["message": String(repeating: "a", count: 40) + "b!"])
        }
        client.send("[" + crafted.joined(separator: ",") + "]")
        let sent = ContinuousClock.now
        usleep(2_000_000)
        let late = daemon.notify.timedMessages.filter { $0.text.contains("WATCHDOG=1") && $0.at > sent + .seconds(1) }
        daemon.signal(SIGKILL)
        #expect(late.isEmpty, "\(late.count) pings while the engine was stuck")
    }
}
