import Testing

@testable import IncidentAccess

@Suite struct LoginThrottleTests {
    @Test func blocksAUserAfterMaxFailuresUntilTheWindowPasses() {
        let clock = TestClock()
        let throttle = LoginThrottle(maxFailures: 3, window: .seconds(600), now: clock.now)
        for index in 0..<3 {
            #expect(throttle.retryAfter(user: "alice", address: "10.0.0.\(index)") == nil)
            throttle.recordFailure(user: "alice", address: "10.0.0.\(index)")
            clock.advance(.seconds(10))
        }
        // From any address: the name is what is being guessed.
        #expect(throttle.retryAfter(user: "alice", address: "10.9.9.9") == .seconds(570))
        #expect(throttle.retryAfter(user: "bob", address: "10.9.9.9") == nil)
        clock.advance(.seconds(569))
        #expect(throttle.retryAfter(user: "alice", address: "10.9.9.9") == .seconds(1))
        clock.advance(.seconds(1))
        #expect(throttle.retryAfter(user: "alice", address: "10.9.9.9") == nil)
    }

    @Test func blocksAnAddressTryingManyNames() {
        let clock = TestClock()
        let throttle = LoginThrottle(maxFailures: 5, window: .seconds(900), now: clock.now)
        for index in 0..<5 { throttle.recordFailure(user: "user\(index)", address: "192.0.2.1") }
        #expect(throttle.retryAfter(user: "someone", address: "192.0.2.1") == .seconds(900))
        #expect(throttle.retryAfter(user: "someone", address: "192.0.2.2") == nil)
    }

    @Test func successClearsTheUserButNotTheAddress() {
        let clock = TestClock()
        let throttle = LoginThrottle(maxFailures: 2, window: .seconds(900), now: clock.now)
        throttle.recordFailure(user: "alice", address: "a")
        throttle.recordFailure(user: "alice", address: "a")
        #expect(throttle.retryAfter(user: "alice", address: "b") != nil)
        throttle.recordSuccess(user: "alice", address: "a")
        #expect(throttle.retryAfter(user: "alice", address: "b") == nil)
        #expect(throttle.retryAfter(user: "carol", address: "a") != nil)
    }

    @Test func memoryIsBounded() {
        let clock = TestClock()
        let throttle = LoginThrottle(maxFailures: 2, window: .seconds(900), maxKeys: 100, now: clock.now)
        for index in 0..<1000 {
            throttle.recordFailure(user: "u\(index)", address: "10.0.\(index / 256).\(index % 256)")
            clock.advance(.milliseconds(1))
        }
        #expect(throttle.trackedKeys <= 100)
        // The newest are the ones kept.
        throttle.recordFailure(user: "u999", address: "x")
        #expect(throttle.retryAfter(user: "u999", address: "y") != nil)
    }
}
