import Foundation
import TestSupport
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

    @Test func readyReloadingAndStoppingArriveInOrderWithJournalCounts() async throws {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("journal").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try await JournalFiles.write((0..<3).map(JournalFiles.line), to: dir)
        let daemon = try await RunningDaemon(
            rules: journalAppRules, journal: "{ directory: \(dir), start_at: beginning }")
        let ready = try #require(daemon.notify.messages.first { $0.contains("READY=1") })
        #expect(ready.contains("STATUS="))
        #expect(ready.contains("journal"), "\(ready)")

        let beforeReload = monotonicMicroseconds()
        await daemon.signal(SIGHUP, wait: false)
        try await waitUntil("READY=1 after the reload", detail: daemon.log()) {
            daemon.notify.messages.filter { $0.contains("READY=1") }.count == 2
        }
        let afterReload = monotonicMicroseconds()
        await daemon.signal(SIGTERM)
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

    /// Only that pings arrive: their period is `StatusService.tick`, unit-tested in WatchdogScheduleTests
    /// (intervals measured here would be the host's scheduling, not the daemon's).
    @Test func theWatchdogPings() async throws {
        let daemon = try await RunningDaemon(rules: daemonRules, watchdogUsec: 400_000)
        try await waitUntil("five WATCHDOG=1 pings", detail: daemon.notify.messages.joined(separator: "\n")) {
            daemon.notify.messages.filter { $0.contains("WATCHDOG=1") }.count >= 5
        }
        await daemon.signal(SIGTERM)
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test func noWatchdogPingsWhenWatchdogPidNamesAnotherProcess() async throws {
        // systemd sets WATCHDOG_PID to the main pid; a child that inherits the variables must not ping.
        let daemon = try await RunningDaemon(
            rules: daemonRules, environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"])
        // The status loop pings (when it does) before it sends STATUS= in the same pass, and the first pass
        // after READY=1 sends one: once that STATUS= is here, a ping would have come before it.
        try await waitUntil("a STATUS= after READY=1", detail: daemon.notify.messages.joined(separator: "\n")) {
            daemon.notify.messages.contains { $0.hasPrefix("STATUS=") && !$0.contains("READY=1") }
        }
        await daemon.signal(SIGTERM)
        #expect(!daemon.notify.messages.contains { $0.contains("WATCHDOG=1") }, "\(daemon.notify.messages)")
    }

    /// A rule whose regex backtracks catastrophically on crafted messages (a real-world ReDoS) keeps the engine
    /// busy inside the pipeline: the watchdog must stop pinging, so systemd would restart the daemon. A match is
    /// abandoned after 100 ms (`Pattern.matchDeadline`), so one line carries sixty of them: six seconds in one
    /// engine call.
    @Test func theWatchdogStopsWhenTheEngineIsStuck() async throws {
        let rules = """
            rules:
              - name: hang
                match: ['alertname="Hang"', 'message=~"(a+)+b"']
                kind: degradation
                impact: low
                urgency: low
            """
        let daemon = try await RunningDaemon(rules: rules, watchdogUsec: 400_000)
        try await waitUntil("three WATCHDOG=1 pings") {
            daemon.notify.messages.filter { $0.contains("WATCHDOG=1") }.count >= 3
        }
        let client = try LineClient(path: daemon.ingestSocket)
        let crafted = (0..<60).map {
            alertLine(
                ["alertname": "Hang", "n": "\($0)"], annotations: ["message": String(repeating: "a", count: 40) + "b!"])
        }
        let sent = ContinuousClock.now
        client.send("[" + crafted.joined(separator: ",") + "]")
        // The reply comes once the engine is through with the line and its batch is committed: the window in
        // which the engine was stuck lies between the two, however long this host took.
        var reply = await client.nextLine()
        if reply == nil { reply = await client.nextLine() }
        let answered = ContinuousClock.now
        try #require(reply != nil, "no reply to the crafted line: \(daemon.log())")
        let pings = daemon.notify.timedMessages.filter { $0.text.contains("WATCHDOG=1") }.map(\.at)
        await daemon.signal(SIGKILL)
        // What systemd acts on: a stretch of WATCHDOG_USEC (400 ms) without a ping while the line was being
        // handled. The engine held the loop for seconds, so a loop that pinged regardless would leave no such gap
        // (it pings every 200 ms); one that waits for the engine leaves one as long as the engine took.
        let times = pings.filter { $0 > sent - .seconds(1) && $0 < answered } + [answered]
        let longest = zip(times.dropFirst(), times).map { $0 - $1 }.max() ?? .zero
        #expect(longest >= .milliseconds(400), "longest silence \(longest) within \(answered - sent)")
    }
}
