import IncidentCore
import Synchronization

/// Slows down password guessing: after `maxFailures` failed sign-ins within `window`, for one user name or from
/// one client address, further attempts are refused until the oldest of those failures leaves the window.
///
/// Keys by name stop a distributed guess at one account; keys by address stop one client trying many names.
/// At most `maxKeys` keys are tracked; beyond that the least recently failed are forgotten.
public final class LoginThrottle: Sendable {
    public let maxFailures: Int
    public let window: Duration
    public let maxKeys: Int
    let now: @Sendable () -> Timestamp
    /// Failure times by key (`user:NAME`, `address:ADDR`), oldest first, at most `maxFailures` each.
    let failures = Mutex([String: [Timestamp]]())

    public init(
        maxFailures: Int = 5, window: Duration = .seconds(15 * 60), maxKeys: Int = 10_000,
        now: @escaping @Sendable () -> Timestamp
    ) {
        self.maxFailures = max(1, maxFailures)
        self.window = window
        self.maxKeys = max(2, maxKeys)
        self.now = now
    }

    /// How long to wait before trying again, or nil when a sign-in may be attempted now.
    public func retryAfter(user: String, address: String) -> Duration? {
        let time = now()
        return failures.withLock { failures in
            let waits = [Self.userKey(user), Self.addressKey(address)].compactMap { key -> Duration? in
                guard let times = failures[key] else { return nil }
                let recent = times.filter { $0 + window > time }
                failures[key] = recent.isEmpty ? nil : recent
                guard recent.count >= maxFailures else { return nil }
                return recent[recent.count - maxFailures] + window - time
            }
            return waits.max()
        }
    }

    /// Counts a failed sign-in against the name and the address.
    public func recordFailure(user: String, address: String) {
        let time = now()
        failures.withLock { failures in
            for key in [Self.userKey(user), Self.addressKey(address)] {
                if failures[key] == nil, failures.count >= maxKeys { evict(&failures, at: time) }
                var times = (failures[key] ?? []).filter { $0 + window > time }
                times.append(time)
                failures[key] = Array(times.suffix(maxFailures))
            }
        }
    }

    /// A successful sign-in clears the name's failures; the address's stay, so one good account does not
    /// reset a client's guessing at others.
    public func recordSuccess(user: String, address: String) {
        _ = failures.withLock { $0.removeValue(forKey: Self.userKey(user)) }
    }

    /// How many keys are tracked.
    public var trackedKeys: Int { failures.withLock { $0.count } }

    /// Drops the keys whose failures have all left the window; if none has, the one that failed least recently.
    func evict(_ failures: inout [String: [Timestamp]], at time: Timestamp) {
        failures = failures.filter { $0.value.contains { $0 + window > time } }
        if failures.count >= maxKeys,
            let stalest = failures.min(by: { ($0.value.last!, $0.key) < ($1.value.last!, $1.key) })
        {
            failures[stalest.key] = nil
        }
    }

    static func userKey(_ user: String) -> String { "user:" + user }
    static func addressKey(_ address: String) -> String { "address:" + address }
}
