import ArgumentParser
import Foundation
import IncidentClient
import IncidentCore
import IncidentPostgres
import Logging

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Whether the daemon is ready and why not; with --store, every instance sharing a PostgreSQL store.",
        discussion: """
            Without --store, asks the daemon on the control socket (GET /readyz) and prints each part (the store, \
            the sources, escalation, and on a shared store the lead with its term) with its detail or problem; the \
            exit status is 0 when it is ready, 1 when not. A standby serves no control socket: ask the store.
            With --store, asks a shared PostgreSQL store what each instance last said (every pass of its lease \
            loop, a few seconds apart): its role (leader or standby), the leader's term and replay lag (events \
            the standbys committed that the leader has not taken yet), and how long ago; plus who holds the lease. \
            An instance not seen for longer than ha.failover is gone. The password comes from --password-file.
            Examples:
              incidentctl status
              incidentctl status --store postgres://incidentd@db1/incidentd --password-file /etc/incidentd/pgpass
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "A shared PostgreSQL store to ask: postgres://USER@HOST[:PORT]/DATABASE.")
    var store: String?

    @Option(help: "A file whose first line is the PostgreSQL user's password (with --store).")
    var passwordFile: String?

    @Flag(help: "Print JSON: /readyz's body, or with --store {\"lease\", \"instances\"}.")
    var json = false

    func validate() throws {
        if let store, case .failure(let error) = PostgresURL.parse(store) {
            throw ValidationError("--store: \(error.message)")
        }
        if passwordFile != nil && store == nil { throw ValidationError("--password-file goes with --store") }
    }

    func run() async throws {
        if let store, case .success(let url) = PostgresURL.parse(store) {
            try await storeStatus(url)
            return
        }
        let client = try daemon.client()
        let readiness: APIResponse<DaemonReadiness>
        do {
            readiness = try await client.readiness()
        } catch {
            throw CommandFailure(error)
        }
        if json {
            printOutput(readiness.body)
        } else {
            print(Self.render(readiness.value))
        }
        if !readiness.value.ready { throw ExitCode(1) }
    }

    /// `ready` or `not ready`, then one line per part: its problem, else its detail.
    static func render(_ r: DaemonReadiness) -> String {
        let parts = Set(r.problems.keys).union(r.details.keys).sorted()
        let rows = parts.map { part in
            if let problem = r.problems[part] { return [part, "problem", TerminalText.safe(problem)] }
            return [part, "ok", TerminalText.safe(r.details[part] ?? "")]
        }
        return (r.ready ? "ready" : "not ready") + "\n" + TextTable.render(["PART", "STATE", "DETAIL"], rows)
    }

    func storeStatus(_ url: PostgresURL) async throws {
        let password = try passwordFile.map(StoreCopy.readPassword)
        var logger = Logger(label: "incidentctl")
        logger.logLevel = .error
        do {
            let target = try await PostgresStore(url: url, password: password, logger: logger)
            defer { target.close() }
            let lease = try await target.leadership()
            let instances = try await target.instances()
            if json {
                var body: [String: Any] = [
                    "instances": instances.map { i in
                        [
                            "name": i.name, "role": i.role, "term": i.term as Any, "relay_lag": i.relayLag as Any,
                            "seconds_ago": i.secondsAgo,
                        ] as [String: Any]
                    }
                ]
                body["lease"] =
                    lease.map { ["holder": $0.holder, "term": $0.term, "expired": $0.expired] as [String: Any] }
                    ?? NSNull()
                printOutput(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
            } else {
                print(Self.render(lease: lease, instances: instances, store: url.display))
            }
        } catch let error as StoreError {
            throw CommandFailure(message: error.message)
        }
    }

    /// Who holds the lease, then each instance's role, term, replay lag and when it last said so.
    static func render(lease: LeaderLease?, instances: [InstanceStatus], store: String) -> String {
        let holder: String
        if let lease, !lease.holder.isEmpty {
            holder =
                "lease: \(TerminalText.safe(lease.holder)), term \(lease.term)" + (lease.expired ? " (expired)" : "")
        } else {
            holder = "lease: nobody has led \(store) yet"
        }
        let rows = instances.map { i in
            // An instance that said it led under an older term was deposed (or died) since.
            let role = i.role == "leader" && i.term != lease?.term ? "deposed" : i.role
            return [
                TerminalText.safe(i.name), role, i.term.map(String.init) ?? "-", i.relayLag.map(String.init) ?? "-",
                String(format: "%.0fs ago", i.secondsAgo),
            ]
        }
        return holder + "\n" + TextTable.render(["INSTANCE", "ROLE", "TERM", "RELAY LAG", "SEEN"], rows)
    }
}
