import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

@Suite struct LifecycleRouteTests {
    @Test func ackResolveReopenCloseWalkTheLifecycle() async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            for (action, state) in [
                ("ack", "acknowledged"), ("resolve", "resolved"), ("reopen", "open"), ("close", "closed"),
            ] {
                let reply = try await server.request(
                    .POST, "/api/v1/incidents/INC-7/\(action)", body: #"{"by":"ana","note":"on it"}"#)
                #expect(reply.status == 200, "\(action): \(reply.text)")
                #expect(reply.json["state"] as? String == state)
            }
            let detail = try #require(await server.api.details[7])
            #expect(detail.incident.acknowledgedBy == "ana")
            #expect(detail.timeline.filter { $0.type == "note" }.count == 4)
        }
    }

    @Test func aTransitionTheStateDoesNotAllowIs409WithTheReason() async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7, state: .closed)]), listen: nil) {
            server in
            let reply = try await server.request(.POST, "/api/v1/incidents/7/ack", body: #"{"by":"ana"}"#)
            #expect(reply.status == 409)
            #expect(reply.json["code"] as? String == "conflict")
            #expect((reply.json["error"] as? String)?.contains("closed") == true)
        }
    }

    @Test func anActionOnAnUnknownIncidentIs404() async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/INC-3/resolve", body: #"{"by":"ana"}"#)
            #expect(reply.status == 404)
        }
    }

    @Test(arguments: ["", "{}", #"{"by":"  "}"#, #"{"by":3}"#, "by=ana"])
    func anActionWithoutWhoIs400(body: String) async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/7/ack", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.json["code"] as? String == "bad_request")
            #expect(await server.api.details[7]?.incident.state == .open)
        }
    }

    @Test func anUnknownActionIs404() async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/7/escalate", body: #"{"by":"ana"}"#)
            #expect(reply.status == 404)
        }
    }

    @Test func aNoteIs201WithTheNote() async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(
                .POST, "/api/v1/incidents/INC-7/notes", body: #"{"by":"bo","text":"vendor ticket 4711"}"#)
            #expect(reply.status == 201)
            let note = try JSONDecoder().decode(IncidentNote.self, from: reply.body)
            #expect(note.incident == 7)
            #expect(note.author == "bo")
            #expect(note.text == "vendor ticket 4711")
            #expect(reply.json["at"] as? String == Fixtures.now.rfc3339)
        }
    }

    @Test(arguments: [#"{"by":"bo"}"#, #"{"text":"x"}"#, #"{"by":"bo","text":" "}"#])
    func aNoteWithoutAuthorOrTextIs400(body: String) async throws {
        try await TestServer.with(api: FakeIncidentAPI([Fixtures.incident(7)]), listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/incidents/7/notes", body: body)
            #expect(reply.status == 400)
        }
    }
}
