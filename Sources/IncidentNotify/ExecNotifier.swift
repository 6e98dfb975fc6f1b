import Foundation
import IncidentCore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program (argv, no shell, no PATH search) with the `json` payload on stdin and `INCIDENT_*` in a clean
/// environment. Exit 0 is delivered; any other exit, a signal or the timeout is retried. What the program
/// prints (stdout and stderr, first 1 KiB) goes into the timeline; past the timeout it gets SIGTERM, then
/// SIGKILL a second later.
public struct ExecNotifier: Notifier {
    public let name: String
    let argv: [String]
    let timeout: Duration
    let redact: SecretRedactor
    static let outputLimit = 1024

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = Self.environment(for: request)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let exit = ExitWaiter()
        process.terminationHandler = {
            exit.finish(status: $0.terminationStatus, signalled: $0.terminationReason == .uncaughtSignal)
        }
        do {
            try process.run()
        } catch {
            return .retry(DeliveryFailure("spawn", "cannot start \(argv[0]): \(redact(error.localizedDescription))"))
        }
        // Our copies of the child's ends must go, or the reader never sees end-of-file.
        try? output.fileHandleForWriting.close()
        try? input.fileHandleForReading.close()
        // The capture owns a duplicate: the Pipe's handle closes its own descriptor when released, and a second
        // close of a number another thread may have reused would be a bug far from here.
        let captured = OutputCapture(fd: dup(output.fileHandleForReading.fileDescriptor), limit: Self.outputLimit)
        try? output.fileHandleForReading.close()
        let stdin = input.fileHandleForWriting
        let payload = PayloadRenderer.json(request)
        DispatchQueue.global().async {
            try? stdin.write(contentsOf: payload)
            try? stdin.close()
        }
        let pid = process.processIdentifier
        // Cancelled as soon as the program exits, so a pid the kernel may reuse is never signalled.
        let timer = Task { [timeout] () -> Bool in
            do { try await Task.sleep(for: timeout) } catch { return false }
            kill(pid, SIGTERM)
            try? await Task.sleep(for: .seconds(1))
            if !Task.isCancelled { kill(pid, SIGKILL) }
            return true
        }
        let (status, signalled) = await exit.wait()
        timer.cancel()
        let timedOut = await timer.value
        let text = redact(await captured.finish(grace: .milliseconds(500)))
        let said = text.isEmpty ? "" : "; output: \(text)"
        _ = process  // kept alive until it has exited
        if timedOut {
            return .retry(DeliveryFailure("timeout", "\(argv[0]) ran longer than \(timeout) and was killed\(said)"))
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
