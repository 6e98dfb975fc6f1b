import IncidentCore
import Testing

/// The one-shot promise behind `IngestTicket` and the sources' readiness: driven directly, no sleeps.
@Suite struct OneShotTests {
    @Test func aValueCompletedBeforeTheWaitIsGivenAtOnce() async {
        let shot = OneShot<Int>()
        #expect(!shot.isComplete)
        #expect(shot.complete(7))
        #expect(shot.isComplete)
        #expect(await shot.value() == 7)
        #expect(await shot.value() == 7, "and to every later waiter")
    }

    @Test func laterCompletionsChangeNothing() async {
        let shot = OneShot<String>()
        #expect(shot.complete("first"))
        #expect(!shot.complete("second"))
        #expect(await shot.value() == "first")
    }

    /// Five concurrent waiters, started before the completion: each gets the value, whether its `value()` call
    /// came just before the completion or just after (each says it started; the test completes once all have).
    @Test func everyWaiterBeforeTheCompletionGetsTheValue() async {
        let shot = OneShot<Int>()
        let (waiting, waiter) = AsyncStream<Void>.makeStream()
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    waiter.yield()
                    return await shot.value()
                }
            }
            var started = 0
            for await _ in waiting {
                started += 1
                if started == 5 { break }
            }
            shot.complete(42)
            var values: [Int] = []
            for await value in group { values.append(value) }
            #expect(values == [42, 42, 42, 42, 42])
        }
    }
}
