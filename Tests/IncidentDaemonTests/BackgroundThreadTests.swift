import Foundation
import Testing

@testable import IncidentDaemon

/// The timed checkpoint's encoding runs on a thread of its own, nicer than the daemon, not on the cooperative pool.
@Suite struct BackgroundThreadTests {
    /// The calling thread's name as the kernel keeps it.
    static func currentName() -> String? {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
    }

    @Test func theBodyRunsOnItsOwnNamedThreadNicerThanTheCallerAndItsResultComesBack() async throws {
        let caller = try #require(BackgroundThread.currentNiceness())
        let seen = await BackgroundThread.run(name: "incidentd-test") {
            (niceness: BackgroundThread.currentNiceness(), name: Self.currentName())
        }
        #expect(seen.niceness == min(19, caller + BackgroundThread.nicer))
        // The name is the thread's own: the cooperative pool's threads have none of ours.
        #expect(seen.name == "incidentd-test")
        // Linux keeps the niceness per thread: the rest of the process is as it was.
        #expect(BackgroundThread.currentNiceness() == caller)
    }

    /// Names longer than the kernel keeps (15 bytes) are cut, not refused.
    @Test func aLongNameIsCut() async {
        let name = await BackgroundThread.run(name: "incidentd-a-long-thread-name") { Self.currentName() }
        #expect(name == "incidentd-a-lon")
    }
}
