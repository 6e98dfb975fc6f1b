import Foundation
import Synchronization
import TestSupport
import Testing

/// `ChildProcess`, which every test that starts a program goes through: what it promises in place of Foundation's
/// `Process`, checked with real children.
@Suite struct ChildProcessTests {
    /// Runs `/bin/sh -c script` with its output on a pipe, and returns the status and the output.
    static func shell(
        _ script: String, configure: @escaping @Sendable (ChildProcess) -> Void = { _ in }
    ) async throws -> (child: ChildProcess, output: String) {
        try await onOwnThread {
            let child = ChildProcess()
            child.executableURL = URL(fileURLWithPath: "/bin/sh")
            child.arguments = ["-c", script]
            let out = Pipe.closeOnExec()
            child.standardOutput = out
            configure(child)
            try child.run()
            // The end of input comes when the child exits: the parent's copy of the write end is closed by `run`.
            let output = try out.fileHandleForReading.readToEndRetryingInterrupts()
            child.waitUntilExit()
            return (child, String(decoding: output, as: UTF8.self))
        }
    }

    @Test func theExitCodeAndTheOutputComeBack() async throws {
        let (child, output) = try await Self.shell("echo hello; exit 3")
        #expect(output == "hello\n")
        #expect(child.terminationStatus == 3)
        #expect(!child.endedBySignal)
        #expect(!child.isRunning)
        #expect(child.processIdentifier > 0)
    }

    @Test func aChildKilledByASignalReportsTheSignal() async throws {
        let (child, _) = try await Self.shell("kill -KILL $$")
        #expect(child.endedBySignal)
        #expect(child.terminationStatus == SIGKILL)
    }

    @Test func theDirectoryAndTheEnvironmentAreTheOnesGiven() async throws {
        let directory = try ScratchDirectory.make("incidentd-child")
        defer { ScratchDirectory.remove(directory) }
        let (child, output) = try await Self.shell("pwd; echo \"$CHILD_TEST\"; echo \"${HOME:-unset}\"") {
            $0.currentDirectoryURL = directory
            $0.environment = ["CHILD_TEST": "given", "PATH": "/usr/bin:/bin"]
        }
        #expect(child.terminationStatus == 0)
        let expected = directory.resolvingSymlinksInPath().path
        #expect(output == "\(expected)\ngiven\nunset\n")
    }

    @Test func standardInputEndsWhenItsWriterCloses() async throws {
        let text = try await onOwnThread {
            let child = ChildProcess()
            child.executableURL = URL(fileURLWithPath: "/bin/cat")
            let input = Pipe.closeOnExec()
            let out = Pipe.closeOnExec()
            child.standardInput = input
            child.standardOutput = out
            try child.run()
            try input.fileHandleForWriting.write(contentsOf: Data("one\ntwo\n".utf8))
            try input.fileHandleForWriting.close()
            let text = try out.fileHandleForReading.readToEndRetryingInterrupts()
            child.waitUntilExit()
            #expect(child.terminationStatus == 0)
            return String(decoding: text, as: UTF8.self)
        }
        #expect(text == "one\ntwo\n")
    }

    /// Descriptors the test process has open, even inheritable ones, do not reach the child: only 0, 1 and 2,
    /// and the one `ls` opens for the directory it lists.
    @Test func theChildGetsNoDescriptorButItsOwnThree() async throws {
        let stray = Pipe()  // inheritable, as `Pipe()` makes it
        let fds = [stray.fileHandleForReading.fileDescriptor, stray.fileHandleForWriting.fileDescriptor]
        let (child, output) = try await Self.shell("ls /proc/self/fd")
        #expect(child.terminationStatus == 0)
        let listed = output.split(separator: "\n").compactMap { Int32($0) }.sorted()
        #expect(listed.count <= 4, "the child had \(listed)")
        #expect(listed.prefix(3) == [0, 1, 2])
        for fd in fds where fd > 3 { #expect(!listed.contains(fd)) }
    }

    /// `SigIgn` and `SigBlk` of a `/proc/PID/status` text.
    static func signalMasks(_ status: String) -> (ignored: String?, blocked: String?) {
        var fields: [Substring: String] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return (fields["SigIgn"], fields["SigBlk"])
    }

    /// The test process ignores signals (SIGPIPE), and the thread that starts a child may block some; the child
    /// starts with every signal at its default and none blocked, as under a shell or systemd.
    @Test func theChildStartsWithEverySignalAtItsDefault() async throws {
        let parent = Self.signalMasks(try String(contentsOfFile: "/proc/self/status", encoding: .utf8))
        try #require(parent.ignored != nil && parent.ignored != "0000000000000000", "the test process ignores nothing")
        let output = try await onOwnThread {
            // Blocked on this thread only, the one that spawns.
            var usr2 = sigset_t()
            sigemptyset(&usr2)
            sigaddset(&usr2, SIGUSR2)
            pthread_sigmask(SIG_BLOCK, &usr2, nil)
            let child = ChildProcess()
            child.executableURL = URL(fileURLWithPath: "/bin/cat")
            child.arguments = ["/proc/self/status"]
            let out = Pipe.closeOnExec()
            child.standardOutput = out
            try child.run()
            let text = try out.fileHandleForReading.readToEndRetryingInterrupts()
            child.waitUntilExit()
            return String(decoding: text, as: UTF8.self)
        }
        let masks = Self.signalMasks(output)
        // Signals 1-31. glibc's posix_spawn leaves its own two (32 and 33, which it handles in the parent) ignored
        // in every child it starts, as Foundation's `Process` did; no program relies on them.
        let ignored = try #require(masks.ignored.flatMap { UInt64($0, radix: 16) })
        #expect(ignored & 0x7FFF_FFFF == 0, "ignored \(masks.ignored ?? ""); the test process \(parent.ignored ?? "")")
        #expect(masks.blocked == "0000000000000000")
    }

    /// As with `Process`: a stream not given is /dev/null, and the child leads a process group of its own.
    @Test func streamsNotGivenAreDevNullAndTheChildLeadsItsOwnGroup() async throws {
        let script = "readlink /proc/self/fd/0 /proc/self/fd/2; echo $$; cut -d' ' -f5 /proc/$$/stat"
        let (child, output) = try await Self.shell(script)
        #expect(child.terminationStatus == 0)
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.count == 4, "\(output)")
        guard lines.count == 4 else { return }
        #expect(lines[0] == "/dev/null")
        #expect(lines[1] == "/dev/null")
        #expect(lines[2] == lines[3], "the shell \(lines[2]) is in process group \(lines[3])")
        #expect(lines[2] == "\(child.processIdentifier)")
    }

    @Test func theTerminationHandlerRunsOnceAfterTheExit() async throws {
        let calls = Mutex<[Int32]>([])
        let (exited, continuation) = AsyncStream<Void>.makeStream()
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exit 7"]
        child.terminationHandler = { finished in
            calls.withLock { $0.append(finished.terminationStatus) }
            continuation.yield()
        }
        try child.run()
        for await _ in exited { break }
        #expect(calls.withLock { $0 } == [7])
        #expect(!child.isRunning)
        child.waitUntilExit()  // returns at once
        #expect(child.terminationStatus == 7)
    }

    @Test func aProgramThatCannotBeStartedIsAnError() async throws {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/nonexistent/program")
        #expect(throws: ChildProcessError.self) { try child.run() }
        #expect(!child.isRunning)
        #expect(child.processIdentifier == 0)
    }
}
