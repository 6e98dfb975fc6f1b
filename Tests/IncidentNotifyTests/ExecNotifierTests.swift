import Foundation
import IncidentCore
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

    @Test func outputIsBounded() async throws {
        let dir = try temporaryDirectory()
        let path = try script("head -c 100000 /dev/zero | tr '\\\\0' x", in: dir)
        guard
            case .delivered(let detail) = await ExecNotifier(name: "p", argv: [path], timeout: .seconds(10))
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
