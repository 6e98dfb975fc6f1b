import Foundation
import TestSupport
import Testing

/// `scripts/watchdog`, which `scripts/test` runs `swift test` under: a command that fails ends with a digest of what
/// it said of the failure, and its own status; one that passes prints nothing more.
@Suite struct WatchdogScriptTests {
    static let script = CLI.repositoryRoot.appendingPathComponent("scripts/watchdog")

    static func watchdog(_ command: String) async throws -> CLI.Output {
        try await onOwnThread { try CLI.runBlocking(script, ["60", "--", "/bin/sh", "-c", command]) }
    }

    @Test func aFailedRunEndsWithItsFailureAndTheTestsStillRunning() async throws {
        // What a test process that crashes prints: a failure, the runtime's message and the crashed thread's frames
        // among thousands of lines of other threads, then a second error at the end.
        let noise = (1...3000).map { "  \($0) [ra] 0x00007f some frame of another thread" }.joined(separator: "\n")
        let output = """
            ◇ Test aTestThatCrashes() started.
            ◇ Test aTestThatFinishes() started.
            ✔ Test aTestThatFinishes() passed after 0.1 seconds.
            ✘ Test aTestThatFails() recorded an issue at X.swift:3:5: Expectation failed
            Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range
            *** Program crashed: Illegal instruction at 0x00007f ***
            Thread 7 crashed:

              0      0x00007f _assertionFailure in libswiftCore.so
              1 [ra] 0x00005f aTestThatCrashes() in incidentdPackageTests.xctest at /x/CrashTests.swift:12:7

            Thread 8:
            \(noise)
            Foundation/FileHandle.swift:699: Fatal error: Interrupted system call
            """
        let file = try CLI.temporaryDirectory().appendingPathComponent("output.txt")
        try output.write(to: file, atomically: true, encoding: .utf8)
        let result = try await Self.watchdog("cat '\(file.path)'; exit 3")
        #expect(result.status == 3)
        let digest = try #require(result.stderr.components(separatedBy: "what it said of the failure:").last)
        #expect(result.stderr.contains("failed (exit 3)"))
        #expect(digest.contains("✘ Test aTestThatFails() recorded an issue at X.swift:3:5"))
        #expect(digest.contains("Fatal error: Index out of range"))
        #expect(digest.contains("Thread 7 crashed:"))
        #expect(digest.contains("aTestThatCrashes() in incidentdPackageTests.xctest at /x/CrashTests.swift:12:7"))
        #expect(digest.contains("Fatal error: Interrupted system call"))
        #expect(!digest.contains("some frame of another thread"), "the digest holds the crashed thread only")
        let running = try #require(digest.components(separatedBy: "tests started and not finished").last)
        #expect(running.contains("aTestThatCrashes()"))
        #expect(!running.contains("aTestThatFinishes()"))
    }

    @Test func aRunThatPassesPrintsNothingMore() async throws {
        let result = try await Self.watchdog("echo '✔ Test fine() passed after 0.1 seconds.'")
        #expect(result.status == 0)
        #expect(result.stdout == "✔ Test fine() passed after 0.1 seconds.\n")
        #expect(!result.stderr.contains("watchdog"), "\(result.stderr)")
    }
}
