import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

@Suite struct IngestRouteTests {
    @Test func prometheusPostsAlertsToTheAlertmanagerV2Route() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(.POST, "/api/v2/alerts", body: Fixtures.prometheusAlerts)
            #expect(reply.status == 200)
            #expect(reply.json["status"] as? String == "success")
            #expect(reply.json["accepted"] as? Int == 1)
            #expect(reply.json["incidents"] as? [String] == ["INC-1"])
            let ingested = await server.api.ingested
            #expect(ingested.count == 1)
            #expect(ingested.first?.body == Data(Fixtures.prometheusAlerts.utf8))
            #expect(ingested.first?.format == "generic")
            #expect(ingested.first?.source == .http)
        }
    }

    /// The reply is written without `JSONEncoder`; it is what the encoder writes for the same body.
    @Test(arguments: [
        IngestReceipt(accepted: 0, incidents: []), IngestReceipt(accepted: 64, incidents: ["INC-1", "INC-22"]),
    ])
    func theReplyIsWhatTheEncoderWrites(_ receipt: IngestReceipt) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = IngestResponseBody(receipt)
        #expect(Data(body.json) == (try encoder.encode(body)))
    }

    @Test(arguments: ["alertmanager", "pagerduty", "grafana", "generic"])
    func webhookFormatsComeFromThePath(format: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/webhook/\(format)", body: Fixtures.alertmanagerWebhook)
            #expect(reply.status == 200)
            let ingested = await server.api.ingested
            #expect(ingested.map(\.format) == [format])
            #expect(ingested.first?.body == Data(Fixtures.alertmanagerWebhook.utf8))
        }
    }

    @Test func anAlertmanagerWebhookSampleArrivesWhole() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/webhook/alertmanager", body: Fixtures.alertmanagerWebhook)
            #expect(reply.status == 200)
            #expect(reply.json["accepted"] as? Int == 2)
            #expect(reply.headers["Content-Type"].first == "application/json")
        }
    }

    @Test func anUnknownWebhookFormatIs404NamingTheKnownOnes() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/webhook/opsgenie", body: "{}")
            #expect(reply.status == 404)
            #expect(reply.json["code"] as? String == "not_found")
            #expect((reply.json["error"] as? String)?.contains("alertmanager, pagerduty, grafana, generic") == true)
            #expect(await server.api.ingested.isEmpty)
        }
    }

    @Test func anEmptyBodyIs400() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v2/alerts", body: "")
            #expect(reply.status == 400)
            #expect(reply.json["code"] as? String == "bad_request")
        }
    }

    @Test(arguments: [
        (IngestError(.invalid, "labels must not be empty"), 400, "bad_request"),
        (IngestError(.shuttingDown, "incidentd is stopping"), 503, "unavailable"),
        (IngestError(.storeFailed, "disk full"), 503, "unavailable"),
    ])
    func ingestErrorsMapToStatuses(error: IngestError, status: Int, code: String) async throws {
        let api = FakeIncidentAPI()
        await api.set(ingestFailure: error)
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v2/alerts", body: Fixtures.prometheusAlerts)
            #expect(reply.status == status)
            #expect(reply.json["code"] as? String == code)
            #expect((reply.json["error"] as? String)?.contains(error.message) == true)
        }
    }

    @Test func aGetOnAnIngestRouteIs404() async throws {
        try await TestServer.with(listen: nil) { server in
            // GET /api/v2/alerts is Alertmanager's alert listing (SPEC §11); the webhooks are POST only.
            let reply = try await server.request(.GET, "/api/v1/webhook/generic")
            #expect(reply.status == 404)
            #expect(reply.json["code"] as? String == "not_found")
        }
    }
}

/// The reference the reply is held to: the same fields through `JSONEncoder`.
extension IngestResponseBody: Encodable {
    enum CodingKeys: String, CodingKey { case status, accepted, incidents }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(incidents, forKey: .incidents)
    }
}
