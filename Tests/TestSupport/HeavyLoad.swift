import Testing

/// `@Test(.heavyLoad)`: at most one test carrying it runs at a time in this process; the others wait for their turn
/// before they start.
///
/// For the few tests that keep both cores busy on purpose (readers that poll a store as fast as it answers while
/// writers commit, thousands of pipelined alerts into a daemon before a `kill -9`, a journal rotated under 300,000
/// entries). Two of them at once on a 2-core machine made each other's daemons and PostgreSQL so slow that a
/// 15 s store call timed out on CI, which is a failure of the machine, not of what the tests check. Run one at a
/// time, each gets the machine it was written for; the run as a whole does the same work.
///
/// The gate is around a whole test function: give a parameterized one `.serialized` too, or its cases run side by
/// side inside the gate. Put it on a test or on its suite, never both (the test would wait for itself).
public struct HeavyLoad: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// One scope around the whole test function (all its cases), none for a suite: never nested.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> HeavyLoad? {
        !test.isSuite && testCase == nil ? self : nil
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await HeavyLoadGate.shared.enter()
        do {
            try await function()
        } catch {
            await HeavyLoadGate.shared.leave()
            throw error
        }
        await HeavyLoadGate.shared.leave()
    }
}

extension Trait where Self == HeavyLoad {
    /// See `HeavyLoad`.
    public static var heavyLoad: HeavyLoad { HeavyLoad() }
}

/// A one-holder gate that waiters enter in arrival order.
actor HeavyLoadGate {
    static let shared = HeavyLoadGate()

    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
