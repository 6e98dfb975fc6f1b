import Foundation
import IncidentClient
import IncidentCore
import Testing

/// `incidentctl send`'s path: the line it writes and how it reads the reply.
@Suite struct IngestSocketClientTests {
    @Test func oneAlertLineIsSentAndTheReplyRead() throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try FakeIngestSocket(
            path: directory + "/ingest.sock", reply: #"{"ok":true,"accepted":1,"incidents":["INC-3"]}"# + "\n")
        let alert = try AlertLine(
            labels: ["alertname": "DiskFull", "instance": "db1:9100"], annotations: ["summary": "95%\nfull"],
            now: Fixtures.now)
        let reply = try IngestSocketClient(path: fake.path).send(alert.line)
        #expect(reply == IngestReply(ok: true, accepted: 1, incidents: ["INC-3"]))
        #expect(reply.summary == "accepted: INC-3")
        let line = try #require(fake.line())
        #expect(line.filter { $0 == 0x0A }.count == 1)
        #expect(line.last == 0x0A)
        let object = try JSONSerialization.jsonObject(with: Data(line.dropLast())) as? [String: Any]
        #expect(object?["labels"] as? [String: String] == ["alertname": "DiskFull", "instance": "db1:9100"])
        #expect(object?["annotations"] as? [String: String] == ["summary": "95%\nfull"])
        #expect(object?["status"] as? String == "firing")
        #expect(object?["startsAt"] as? String == "2026-11-22T07:00:00Z")
        #expect(object?["endsAt"] == nil)
    }

    @Test func aRefusalCarriesTheDaemonsReason() throws {
        let directory = TestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try FakeIngestSocket(
            path: directory + "/ingest.sock",
            reply: #"{"ok":false,"line":1,"code":"invalid","error":"labels must not be empty"}"# + "\n")
        let reply = try IngestSocketClient(path: fake.path).send(Array("{}\n".utf8))
        #expect(!reply.ok)
        #expect(reply.summary == "refused: labels must not be empty [invalid]")
        _ = fake.line()
    }

    @Test func noDaemonIsOneClearLine() {
        do {
            _ = try IngestSocketClient(path: "/tmp/incidentd-test-none/ingest.sock").send(Array("{}\n".utf8))
            Issue.record("sent to nothing")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.message.hasPrefix("cannot send to the ingest socket /tmp/incidentd-test-none/ingest.sock: "))
            #expect(error.message.contains("is incidentd running"))
        }
    }

    @Test func aResolvedAlertEndsNow() throws {
        let alert = try AlertLine(labels: ["alertname": "DiskFull"], resolve: true, now: Fixtures.now)
        let object = try JSONSerialization.jsonObject(with: Data(alert.line.dropLast())) as? [String: Any]
        #expect(object?["status"] as? String == "resolved")
        #expect(object?["endsAt"] as? String == "2026-11-22T07:00:00Z")
        #expect(object?["annotations"] == nil)
    }

    @Test func anAlertWithoutLabelsIsAUsageError() {
        #expect(throws: UsageError.self) { try AlertLine(labels: [:], now: Fixtures.now) }
    }
}
