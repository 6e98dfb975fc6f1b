import Foundation
import IncidentCore
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A logger that prints nothing; the tests look at replies, files and counters.
let quietLogger = Logger(label: "incidentd.test") { _ in SwiftLogNoOpLogHandler() }

/// A fresh directory under /tmp, short enough for a Unix socket path (108 bytes), removed afterwards.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let path = "/tmp/incidentd-test-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Runs `service` in a service group while `body` runs, then shuts the group down gracefully and waits for it.
func withRunning<R>(_ service: some Service, _ body: (ServiceGroup) async throws -> R) async throws -> R {
    let group = ServiceGroup(configuration: .init(services: [service], logger: quietLogger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: R
        do {
            result = try await body(group)
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// `waitUntil` for `#expect(await eventually { ... })`: whether `condition` held within `timeout` (a condition
/// that throws counts as not holding). Waiting here is for the condition, not an assertion about timing. The
/// default is `waitUntil`'s: in the full suite on two cores, spool tests that take 1.5 s alone took 70-90 s, and
/// a 30 s wait once ran out.
func eventually(timeout: Duration = .seconds(60), _ condition: () throws -> Bool) async -> Bool {
    do {
        try await waitUntil("the condition holds", timeout: timeout, poll: .milliseconds(5)) { try condition() }
        return true
    } catch {
        return false
    }
}

/// Waits until `progress` stops changing for `quiet` (polled), up to `timeout`; returns whether it settled.
func settles(quiet: Duration = .milliseconds(500), timeout: Duration = .seconds(30), _ progress: () -> Int) async
    -> Bool
{
    let deadline = ContinuousClock.now + timeout
    var last = progress()
    var since = ContinuousClock.now
    while ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(20))
        let now = progress()
        if now != last {
            (last, since) = (now, .now)
        } else if since.duration(to: .now) >= quiet {
            return true
        }
    }
    return false
}

/// A count shared between a client thread and the test.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    func add() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
