import IncidentCore
import Testing

/// `withDeadline` is what keeps a database call that never returns from holding the daemon: each case drives it
/// with work whose end (or lack of one) the test decides.
@Suite struct DeadlineTests {
    @Test func workThatEndsInTimeGivesItsValue() async throws {
        let result = await withDeadline(.seconds(30)) { 6 * 7 }
        #expect(try result.get() == 42)
    }

    @Test func workThatFailsInTimeGivesItsError() async {
        struct Refused: Error {}
        let result = await withDeadline(.seconds(30)) { () async throws -> Int in throw Refused() }
        #expect(throws: Refused.self) { try result.get() }
    }

    /// Work that ignores cancellation and never ends: the caller gets `DeadlineExceeded` at the limit.
    @Test func workThatNeverEndsFailsAtTheLimit() async {
        let never = AsyncStream<Int> { _ in }
        let result = await withDeadline(.milliseconds(100)) {
            for await value in never { return value }
            return 0
        }
        #expect(throws: DeadlineExceeded.self) { try result.get() }
        if case .failure(let error as DeadlineExceeded) = result {
            #expect(error.limit == .milliseconds(100))
            #expect("\(error)" == "it did not answer within 0.1 seconds")
        }
    }

    /// A cancelled caller cancels the work: cooperative work ends with `CancellationError` long before a limit
    /// the test could never wait out.
    @Test func cancellingTheCallerCancelsTheWork() async {
        let started = AsyncStream<Void>.makeStream()
        let caller = Task {
            await withDeadline(.seconds(3600)) {
                started.continuation.yield()
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        for await _ in started.stream { break }
        caller.cancel()
        let result = await caller.value
        #expect(throws: CancellationError.self) { try result.get() }
    }

    /// A caller cancelled before the work started cancels it as soon as it starts.
    @Test func aCallerCancelledBeforehandCancelsTheWorkAtOnce() async {
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await withDeadline(.seconds(3600)) {
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        let result = await caller.value
        #expect(throws: CancellationError.self) { try result.get() }
    }
}
