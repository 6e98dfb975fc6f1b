import Foundation
import IncidentCore
import IncidentPostgres
import Logging
import TestSupport
import Testing

@testable import IncidentDaemon

/// A standby's sink: submissions share transactions (group commit) on a real PostgreSQL, keep each source's
/// order and positions, and a submission the database refuses loses nothing next to it.
@Suite struct RelaySinkTests {
    static func open(_ cluster: PostgresCluster, _ database: String) async throws -> PostgresStore {
        guard case .success(let url) = PostgresURL.parse(cluster.url(database)) else {
            throw PostgresClusterError(description: "the cluster's URL does not parse")
        }
        return try await PostgresStore(url: url, logger: Logger(label: "test"))
    }

    static func event(_ source: Int, _ line: Int) -> Event {
        Event(
            labels: ["alertname": "Relay", "source": "\(source)", "line": "\(line)"], receivedAt: Timestamp(seconds: 1))
    }

    /// Four sources pipeline 100 submissions each without waiting for their tickets (as a socket client that
    /// pipelines lines does): every ticket succeeds, each source's events are relayed in its order, its last
    /// position is the one kept, and the 400 submissions took far fewer transactions than 400 (PostgreSQL's
    /// `xmin` names the transaction that wrote each row).
    @Test func pipelinedSubmissionsShareTransactionsAndKeepTheirOrder() async throws {
        let cluster = try await PostgresCluster.start()
        let database = try await cluster.makeDatabase()
        let store = try await Self.open(cluster, database)
        defer { store.close() }
        let sink = RelaySink(store: store, instance: "standby-a", limit: 64)
        let results = try await withThrowingTaskGroup(of: [IngestReceipt].self) { group in
            for source in 0..<4 {
                group.addTask {
                    var tickets: [IngestTicket] = []
                    for line in 0..<100 {
                        tickets.append(
                            await sink.submit([Self.event(source, line)], positions: ["src:\(source)": "\(line)"]))
                    }
                    var receipts: [IngestReceipt] = []
                    for ticket in tickets { receipts.append(try await ticket.receipt()) }
                    return receipts
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(results.count == 400)
        #expect(results.allSatisfy { $0.accepted == 1 && $0.incidents.isEmpty })

        let rows = try await store.relayed(after: 0, limit: 1000)
        #expect(rows.count == 400)
        #expect(rows.map(\.id) == Array(1...400), "relay ids follow commit order without a gap")
        #expect(rows.allSatisfy { $0.instance == "standby-a" })
        for source in 0..<4 {
            let lines = rows.map(\.event.labels).filter { $0["source"] == "\(source)" }.compactMap { $0["line"] }
            #expect(lines == (0..<100).map { "\($0)" }, "source \(source) in its order")
        }
        #expect(
            try await store.sourcePositions(withPrefix: "src:")
                == ["src:0": "99", "src:1": "99", "src:2": "99", "src:3": "99"])
        let transactions = try await cluster.psql(
            "SELECT count(DISTINCT xmin::text) FROM incidentd_relay", database: database)
        let count = Int(transactions.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(count >= 1 && count <= 100, "400 submissions in \(count) transactions")
    }

    /// The database refuses one submission (a trigger stands in for whatever a row could trip): the run it was
    /// in fails as a whole, is retried one submission at a time, and only that one is refused. A slow first
    /// row makes the others queue up behind it, so they share a run.
    @Test func aRefusedSubmissionLosesNothingNextToIt() async throws {
        let cluster = try await PostgresCluster.start()
        let database = try await cluster.makeDatabase()
        let store = try await Self.open(cluster, database)
        defer { store.close() }
        _ = try await cluster.psql(
            """
            CREATE FUNCTION relay_test() RETURNS trigger AS $$ BEGIN
              IF NEW.labels LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF;
              IF NEW.labels LIKE '%slow%' THEN PERFORM pg_sleep(0.5); END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER relay_test BEFORE INSERT ON incidentd_relay FOR EACH ROW EXECUTE FUNCTION relay_test();
            """, database: database)
        let sink = RelaySink(store: store, instance: "standby-a")
        var tickets: [(String, IngestTicket)] = []
        for name in ["slow", "good1", "poison", "good2"] {
            let event = Event(labels: ["alertname": name], receivedAt: Timestamp(seconds: 1))
            tickets.append((name, await sink.submit([event], positions: ["src:\(name)": "1"])))
        }
        for (name, ticket) in tickets {
            let result: Result<IngestReceipt, IngestError>
            do { result = .success(try await ticket.receipt()) } catch { result = .failure(error) }
            if name == "poison" {
                #expect(throws: IngestError.self) { try result.get() }
                if case .failure(let error) = result {
                    #expect(error.code == .storeFailed)
                    #expect("\(error)".contains("poisoned row"))
                }
            } else {
                #expect(try result.get().accepted == 1, "\(name)")
            }
        }
        let names = try await store.relayed(after: 0, limit: 10).compactMap { $0.event.labels["alertname"] }
        #expect(names == ["slow", "good1", "good2"])
        #expect(
            try await store.sourcePositions(withPrefix: "src:") == [
                "src:slow": "1", "src:good1": "1", "src:good2": "1",
            ])
    }
}
