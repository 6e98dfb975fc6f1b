import Foundation
import IncidentCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program (argv, no shell, no PATH search) with the `json` payload on stdin and `INCIDENT_*` in a clean
/// environment. Exit 0 is delivered; any other exit, a signal or the timeout is retried. What the program
/// prints (stdout and stderr, first 1 KiB) goes into the timeline. The program runs in a process group of its
/// own (`ProcessGroupChild`); past the timeout the whole group gets SIGTERM, then SIGKILL a second later, so
/// nothing it started outlives the attempt. On a normal exit its background processes are left alone.
public struct ExecNotifier: Notifier {
    public let name: String
    let argv: [String]
    let timeout: Duration
    let redact: SecretRedactor
    static let outputLimit = 1024
    /// Between the timeout's SIGTERM and SIGKILL.
    static let killGrace: Duration = .seconds(1)

    public init(name: String, argv: [String], timeout: Duration, secrets: [String] = []) {
        precondition(!argv.isEmpty, "the config parser refuses an empty argv")
        self.name = name
        self.argv = argv
        self.timeout = timeout
        redact = SecretRedactor(secrets)
        // A program that exits without reading stdin must not take the daemon down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    /// The program's environment: nothing inherited from the daemon (which may hold secrets), a plain PATH for
    /// the scripts it runs, and the incident.
    public static func environment(for request: DeliveryRequest) -> [String: String] {
        let n = request.notification
        var env = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "INCIDENT_ID": request.incidentID, "INCIDENT_IDEMPOTENCY_KEY": request.idempotencyKey,
            "INCIDENT_NOTIFIER": n.notifier, "INCIDENT_TRIGGER": request.trigger, "INCIDENT_POLICY": n.policy,
            "INCIDENT_DUE": n.due.rfc3339, "INCIDENT_ATTEMPT": "\(request.attempt)",
        ]
        if n.moment == nil {
            env["INCIDENT_STEP"] = "\(n.step)"
            env["INCIDENT_ROUND"] = "\(n.round)"
        }
        if let i = request.incident {
            env["INCIDENT_TITLE"] = i.title
            env["INCIDENT_STATE"] = i.state.rawValue
            env["INCIDENT_KIND"] = i.kind.rawValue
            env["INCIDENT_PRIORITY"] = i.priority.rawValue
            env["INCIDENT_IMPACT"] = i.impact.rawValue
            env["INCIDENT_URGENCY"] = i.urgency.rawValue
            env["INCIDENT_RULE"] = i.rule
            env["INCIDENT_OPENED_AT"] = i.openedAt.rfc3339
        }
        return env
    }

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        let child: ProcessGroupChild
        do {
            child = try ProcessGroupChild.spawn(
                path: argv[0], arguments: Array(argv.dropFirst()), environment: Self.environment(for: request))
        } catch {
            return .retry(DeliveryFailure("spawn", "cannot start \(argv[0]): \(redact(error.description))"))
        }
        let exit = ExitWaiter(pid: child.pid)
        let captured = OutputCapture(fd: child.output, limit: Self.outputLimit)
        let stdin = child.input
        let payload = PayloadRenderer.json(request)
        DispatchQueue.global().async {
            try? stdin.write(contentsOf: payload)
            try? stdin.close()
        }
        // Past the timeout the whole group gets SIGTERM, and SIGKILL after the grace whether or not the program
        // itself has exited by then: what it started may ignore SIGTERM. The program stays unreaped until this
        // is over, so the group's id cannot be another's (see `ExitWaiter`).
        let group = child.pid
        let timer = Task { [timeout] () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            kill(-group, SIGTERM)
            // Detached: once the timeout has struck, the program exiting must not cancel the grace and so
            // spare its group the SIGKILL.
            await Task.detached { try? await Task.sleep(for: Self.killGrace) }.value
            kill(-group, SIGKILL)
            return true
        }
        await exit.wait()
        // Cancels only a timer still in its first sleep; one that struck finishes its SIGKILL first.
        timer.cancel()
        let timedOut = await timer.value
        let (status, signalled) = exit.reap()
        let text = redact(await captured.finish(grace: .milliseconds(500)))
        let said = text.isEmpty ? "" : "; output: \(text)"
        if timedOut {
            return .retry(
                DeliveryFailure(
                    "timeout", "\(argv[0]) ran longer than \(timeout) and was killed with its process group\(said)"))
        }
        if signalled {
            return .retry(DeliveryFailure("killed", "\(argv[0]) was killed by signal \(status)\(said)"))
        }
        if status != 0 {
            return .retry(DeliveryFailure("exit_status", "\(argv[0]) exited with status \(status)\(said)"))
        }
        return .delivered(detail: "\(argv[0]) exited 0\(said)")
    }
}
