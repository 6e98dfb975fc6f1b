import Foundation
import IncidentCore
import Synchronization
import Testing

@testable import IncidentNotify

/// The exec notifier running real scripts.
@Suite struct ExecNotifierTests {
    @Test func theScriptGetsTheJSONOnStdinAndIncidentEnvironment() async throws {
        let dir = try temporaryDirectory()
        let path = try script(
            """
            cat > "\(dir.path)/stdin.json"
            env > "\(dir.path)/env.txt"
            echo "paged $INCIDENT_ID key $INCIDENT_IDEMPOTENCY_KEY"
            """, in: dir)
        let outcome = await ExecNotifier(name: "page", argv: [path, "--to", "ops"], timeout: .seconds(10))
            .deliver(sampleRequest())
        #expect(outcome == .delivered(detail: "\(path) exited 0; output: paged INC-7 key INC-7/1/0"))
        let stdin = try json(Data(contentsOf: dir.appendingPathComponent("stdin.json")))
        #expect((stdin["incident"] as? [String: Any])?["id"] as? String == "INC-7")
        let env = try String(contentsOf: dir.appendingPathComponent("env.txt"), encoding: .utf8)
        for line in [
            "INCIDENT_PRIORITY=P1", "INCIDENT_STEP=1", "INCIDENT_ROUND=0", "INCIDENT_TRIGGER=escalation",
            "INCIDENT_TITLE=Host web1 down",
        ] {
            #expect(env.contains(line))
        }
        // Nothing of the daemon's own environment leaks into the program's.
        #expect(!env.contains("HOME="))
    }

    @Test func aFailingExitIsRetriedWithItsOutput() async throws {
        let dir = try temporaryDirectory()
        let path = try script("echo 'pager gateway said no' >&2; exit 3", in: dir)
        let outcome = await ExecNotifier(name: "page", argv: [path], timeout: .seconds(10)).deliver(sampleRequest())
        #expect(
            outcome
                == .retry(
                    DeliveryFailure("exit_status", "\(path) exited with status 3; output: pager gateway said no")))
    }

    @Test func aHangingProgramIsKilledAtTheTimeoutEvenIfItIgnoresSIGTERM() async throws {
        let dir = try temporaryDirectory()
        let path = try script(
            "trap '' TERM; echo $$ > \"\(dir.path)/pid\"; echo started; while true; do sleep 0.1; done", in: dir)
        let outcome = await ExecNotifier(name: "page", argv: [path], timeout: .milliseconds(300))
            .deliver(sampleRequest())
        // Gone, not merely abandoned (no wall-clock bound here: a loaded test host delays timers, not kills).
        let pid = try #require(
            Int32(
                String(contentsOfFile: dir.path + "/pid", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the program still runs")
        guard case .retry(let failure, nil) = outcome else {
            Issue.record("a hang gave \(outcome)")
            return
        }
        #expect(failure.reason == "timeout")
        #expect(failure.message.contains("output: started"))
    }

    /// A timeout kills the program's whole process group: a grandchild it started (`sleep 1000 &`, a pager CLI
    /// it forked) must not outlive the attempt, holding the output pipe and piling up with every retry.
    @Test func aTimeoutAlsoKillsTheProgramsGrandchildren() async throws {
        let dir = try temporaryDirectory()
        let pidFile = dir.appendingPathComponent("grandchild").path
        let path = try script(
            "sleep 1000 & echo $! > \"\(pidFile).tmp\"; mv \"\(pidFile).tmp\" \"\(pidFile)\"; wait", in: dir)
        // Bounded: Foundation's `Process` learnt of an exit from a descriptor the grandchild inherited, so the
        // attempt used to hang for as long as the grandchild ran, past any timeout.
        // The timeout must leave the script time to start its grandchild: on a loaded machine 300 ms did not
        // (the script was killed before `sleep` ran, and there was no grandchild to look for). 2 s, and up to
        // three attempts until one got as far as writing the grandchild's pid.
        var result = OutcomeBox()
        var delivery: Task<Void, Never>?
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: pidFile) {
            let box = OutcomeBox()
            result = box
            delivery = Task {
                let outcome = await ExecNotifier(name: "page", argv: [path], timeout: .seconds(2))
                    .deliver(sampleRequest())
                box.value.withLock { $0 = outcome }
            }
            // Generous: with the whole suite running in parallel on two cores, starting the script alone has taken
            // seconds. A hang (the bug this guards) never returns at all.
            let returnBy = ContinuousClock.now + .seconds(90)
            while box.value.withLock({ $0 }) == nil, ContinuousClock.now < returnBy {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        guard let outcome = result.value.withLock({ $0 }) else {
            kill(pid, SIGKILL)
            Issue.record("the attempt did not return within 90 s of its 2 s timeout")
            return
        }
        _ = await delivery?.value
        guard case .retry(let failure, nil) = outcome else {
            Issue.record("a hang gave \(outcome)")
            return
        }
        #expect(failure.reason == "timeout")
        // Not reaped by us, so it may linger as a zombie until init adopts and reaps it: wait for that, bounded.
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(pid, 0) == 0 || errno != ESRCH, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let gone = kill(pid, 0) == -1 && errno == ESRCH
        if !gone { kill(pid, SIGKILL) }
        #expect(gone, "the grandchild \(pid) still runs after the timeout")
    }

    /// The daemon ignores SIGPIPE (the notifier itself sets that) and its signal handling ignores SIGTERM; a
    /// program must start with the default dispositions, or `TERM` at the timeout would not stop it and a broken
    /// pipe would not end it. Ignored dispositions survive `exec`.
    @Test func theProgramStartsWithDefaultSignalDispositions() async throws {
        let dir = try temporaryDirectory()
        let path = try script("grep -E '^Sig(Ign|Blk):' /proc/self/status", in: dir)
        guard
            // A generous timeout: what is checked is the program's signal state, not how fast a loaded machine
            // starts it.
            case .delivered(let detail) = await ExecNotifier(name: "p", argv: [path], timeout: .seconds(60))
                .deliver(sampleRequest())
        else {
            Issue.record("not delivered")
            return
        }
        func mask(_ name: String) -> UInt64? {
            guard let range = detail.range(of: "\(name): ") else { return nil }
            return UInt64(detail[range.upperBound...].prefix(16), radix: 16)
        }
        #expect(mask("SigBlk") == 0, "\(detail)")
        // Signals 1-31 only: glibc's posix_spawn itself ignores its two internal real-time signals (32 and 33)
        // in the child, and the program's own libc takes them back at start.
        #expect(mask("SigIgn").map { $0 & 0x7fff_ffff } == 0, "\(detail)")
    }

    /// The program gets stdin, stdout and stderr and nothing else of the daemon's: a descriptor opened without
    /// close-on-exec (a database, a socket, a secret file) must not leak into it.
    @Test func theProgramInheritsNoOtherDescriptor() async throws {
        let dir = try temporaryDirectory()
        let leaky = open(dir.appendingPathComponent("secret").path, O_CREAT | O_RDWR, 0o600)
        try #require(leaky > 2)
        defer { close(leaky) }
        let path = try script("[ -e /proc/$$/fd/\(leaky) ] && echo leaked || echo clean", in: dir)
        let outcome = await ExecNotifier(name: "p", argv: [path], timeout: .seconds(10)).deliver(sampleRequest())
        #expect(outcome == .delivered(detail: "\(path) exited 0; output: clean"))
    }

    @Test func outputIsBounded() async throws {
        let dir = try temporaryDirectory()
        let path = try script("head -c 100000 /dev/zero | tr '\\\\0' x", in: dir)
        guard
            // A generous timeout: what is checked is the program's signal state, not how fast a loaded machine
            // starts it.
            case .delivered(let detail) = await ExecNotifier(name: "p", argv: [path], timeout: .seconds(60))
                .deliver(sampleRequest())
        else {
            Issue.record("not delivered")
            return
        }
        #expect(detail.count < 1200)
        #expect(detail.hasSuffix("…(truncated)"))
    }

    @Test func aMissingProgramIsReported() async throws {
        let outcome = await ExecNotifier(name: "p", argv: ["/nonexistent/pager"], timeout: .seconds(1))
            .deliver(sampleRequest())
        guard case .retry(let failure, _) = outcome else {
            Issue.record("gave \(outcome)")
            return
        }
        #expect(failure.reason == "spawn")
        #expect(failure.message.contains("/nonexistent/pager"))
    }
}

/// One attempt's outcome, set by the task that runs it.
final class OutcomeBox: Sendable {
    let value = Mutex<DeliveryOutcome?>(nil)
}
