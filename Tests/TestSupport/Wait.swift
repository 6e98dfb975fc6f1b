import Foundation

/// Thrown by `waitUntil` when its deadline passes: says what was awaited, for how long, and where.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let description: String
}

/// Waits until `condition` holds, polling it, and throws `WaitTimeout` naming `what` if it does not hold within
/// `timeout`. The one wait helper of the test targets: tests wait on a condition, never for a time.
///
/// The deadline is generous on purpose: it only bounds a failing test, and on a loaded 2-core host other tests
/// block the cooperative threads for seconds. A passing test returns as soon as the condition holds. `detail`
/// is evaluated only on failure (a daemon's log, the values seen), so it may be expensive.
///
/// The condition may be synchronous or `async`. Polling is the wait itself: a condition on a file, another
/// process or a counter has nothing to signal us with, and the pause between polls is not an assertion.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(20),
    detail: @autoclosure () -> String = "", fileID: String = #fileID, line: Int = #line,
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        guard clock.now < deadline else {
            let more = detail()
            throw WaitTimeout(
                description: "\(fileID):\(line): timed out after \(timeout) waiting until \(what)"
                    + (more.isEmpty ? "" : "\n\(more)"))
        }
        try await Task.sleep(for: poll)
    }
}

/// Runs blocking work (a child process and its wait, a socket read, a daemon's start) on a thread of its own and
/// awaits it, so that the cooperative threads (two on a 2-core machine) keep serving the tests running beside
/// this one. A test that blocks them for seconds stalls every other test's timers and polls.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
