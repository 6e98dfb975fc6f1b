import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

/// `POST /api/v1/incidents/{id}/merge` and `/split` (SPEC §13): the bodies are checked at the edge, and the
/// answer is the resulting incident like the other lifecycle routes'.
@Suite struct MergeSplitRouteTests {
    static let dbx = Labels(["alertname": "HostDown", "instance": "dbx:9100"]).fingerprint

    @Test func aMergeAnswersTheTargetAndClosesTheSource() async throws {
        let api = FakeIncidentAPI([Fixtures.incident(7), Fixtures.incident(8)])
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/incidents/INC-8/merge", body: #"{"into":"INC-7","by":"ana"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["id"] as? String == "INC-7")
            #expect(reply.json["alerts"] as? Int == 4)
            #expect(await server.api.details[8]?.incident.state == .closed)
            #expect(
                await server.api.details[7]?.timeline.last?.detail == "INC-8 merged in by ana: its 2 alerts join")
        }
    }

    @Test(arguments: [
        ("", 400), ("{}", 400), (#"{"into":"INC-7"}"#, 400), (#"{"by":"ana"}"#, 400),
        (#"{"into":"seven","by":"ana"}"#, 400), (#"{"into":"INC-8","by":"ana"}"#, 400),
        (#"{"into":"INC-9","by":"ana"}"#, 404),
    ])
    func aBadMergeIsRefused(body: String, status: Int) async throws {
        let api = FakeIncidentAPI([Fixtures.incident(7), Fixtures.incident(8)])
        try await TestServer.with(api: api, listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/8/merge", body: body)
            #expect(reply.status == status, "\(reply.text)")
            #expect(await server.api.details[8]?.incident.state == .open)
        }
    }

    @Test func aSplitAnswersTheNewIncident() async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/incidents/INC-7/split", body: #"{"alert":"\#(Self.dbx)","by":"bo"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["id"] as? String == "INC-8")
            #expect(reply.json["alerts"] as? Int == 1)
            #expect(await server.api.details[7]?.alerts.map(\.fingerprint) != [Self.dbx])
            #expect(await server.api.details[8]?.alerts.map(\.fingerprint) == [Self.dbx])
        }
    }

    @Test(arguments: [
        ("", 400), (#"{"by":"bo"}"#, 400), (#"{"alert":"xyz","by":"bo"}"#, 400),
        (#"{"alert":"0123456789abcdef0","by":"bo"}"#, 400), (#"{"alert":"0123456789abcdef"}"#, 400),
        (#"{"alert":"0123456789abcdef","by":"bo"}"#, 400),
    ])
    func aBadSplitIsRefused(body: String, status: Int) async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/7/split", body: body)
            #expect(reply.status == status, "\(reply.text)")
            #expect(await server.api.details[7]?.alerts.count == 2)
        }
    }

    @Test func aSplitOfAnUnknownIncidentIs404() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/incidents/INC-3/split", body: #"{"alert":"0123456789abcdef","by":"bo"}"#)
            #expect(reply.status == 404)
        }
    }
}
