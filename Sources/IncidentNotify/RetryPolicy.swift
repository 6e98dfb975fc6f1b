/// How long to wait between attempts (SPEC §7: 1 s doubling to 5 min, 24 attempts), per notifier.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initial: Duration
    public var max: Duration
    /// The longest a receiver's `Retry-After` may push an attempt out; beyond it a broken header would park
    /// a page for days.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 24, initial: Duration = .seconds(1), max: Duration = .seconds(300),
        maxRetryAfter: Duration = .seconds(3600)
    ) {
        self.maxAttempts = maxAttempts
        self.initial = initial
        self.max = max
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait after failed attempt `attempt` (1-based): `initial · 2^(attempt-1)` capped at `max`, less up to
    /// 20 % jitter (`unit` in 0...1, random in production) so that many rows failing together do not retry in
    /// lockstep; never shorter than the receiver's `Retry-After`.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, unit: Double) -> Duration {
        var base = initial
        var n = 1
        while n < attempt && base < max {
            base = base * 2
            n += 1
        }
        if base > max { base = max }
        let jittered = base * (1 - 0.2 * Swift.min(Swift.max(unit, 0), 1))
        guard let retryAfter else { return jittered }
        return Swift.max(jittered, Swift.min(retryAfter, maxRetryAfter))
    }

    /// Whether another attempt is allowed after `attempt` failed.
    public func allowsAnother(after attempt: Int) -> Bool { attempt < maxAttempts }
}
