import Foundation
import Testing

@testable import IncidentDaemon

/// The timed checkpoint's encoding runs on a thread of its own at nice 10, not on the cooperative pool.
@Suite struct BackgroundThreadTests {
    /// The calling thread's name as the kernel knows it (`/proc/thread-self/comm`).
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .newlines)
    }

    @Test func theBodyRunsOnItsOwnThreadAtALowerPriorityAndItsResultComesBack() async {
        let caller = BackgroundThread.currentNiceness()
        let seen = await BackgroundThread.run(name: "incidentd-test") {
            (niceness: BackgroundThread.currentNiceness(), name: Self.threadName())
        }
        #expect(seen.niceness == BackgroundThread.niceness)
        // The name is the thread's own: the cooperative pool's threads have none of ours.
        #expect(seen.name == "incidentd-test")
        // Linux keeps the niceness per thread: the rest of the process is as it was.
        #expect(BackgroundThread.currentNiceness() == caller)
        #expect(caller != BackgroundThread.niceness)
    }
}
