import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

/// Alertmanager v2's silence routes over the fake API: AM's shapes in and out, AM's refusals as 400s.
@Suite struct SilenceRouteTests {
    static let body = """
        {"matchers":[{"name":"alertname","value":"DiskFull","isRegex":false},
                     {"name":"host","value":"db.*","isRegex":true,"isEqual":true}],
         "startsAt":"2026-11-22T06:00:00Z","endsAt":"2026-11-22T09:00:00Z",
         "createdBy":"ana","comment":"resizing"}
        """

    @Test func aPostedSilenceIsListedAndFetchedInAlertmanagersShape() async throws {
        try await TestServer.with(listen: nil) { server in
            let posted = try await server.request(.POST, "/api/v2/silences", body: Self.body)
            #expect(posted.status == 200, "\(posted.text)")
            let id = try #require(posted.json["silenceID"] as? String)

            let list = try await server.request(.GET, "/api/v2/silences")
            #expect(list.status == 200)
            let silences = try #require(try JSONSerialization.jsonObject(with: list.body) as? [[String: Any]])
            #expect(silences.count == 1)
            let silence = try #require(silences.first)
            #expect(silence["id"] as? String == id)
            #expect((silence["status"] as? [String: Any])?["state"] as? String == "active")
            // A start in the past is taken as now, as Alertmanager does.
            #expect(silence["startsAt"] as? String == "2026-11-22T07:00:00Z")
            #expect(silence["endsAt"] as? String == "2026-11-22T09:00:00Z")
            #expect(silence["updatedAt"] as? String == "2026-11-22T07:00:00Z")
            #expect(silence["createdBy"] as? String == "ana")
            #expect(silence["comment"] as? String == "resizing")
            let matchers = try #require(silence["matchers"] as? [[String: Any]])
            #expect(matchers.count == 2)
            #expect(matchers[0]["isEqual"] as? Bool == true)
            #expect(matchers[1]["isRegex"] as? Bool == true)

            let one = try await server.request(.GET, "/api/v2/silence/\(id)")
            #expect(one.status == 200)
            #expect(one.json["id"] as? String == id)
            let decoded = try JSONDecoder().decode(GettableSilence.self, from: one.body)
            #expect(decoded.silence.matchers[1] == SilenceMatcher(name: "host", value: "db.*", isRegex: true))

            #expect(try await server.request(.GET, "/api/v2/silence/nope").status == 404)
        }
    }

    @Test func anIdInTheBodyUpdatesThatSilenceAndAnUnknownOneIs404() async throws {
        try await TestServer.with(listen: nil) { server in
            let id = try #require(
                try await server.request(.POST, "/api/v2/silences", body: Self.body).json["silenceID"] as? String)
            let update = Self.body.replacingOccurrences(of: "resizing", with: "still resizing")
                .replacingOccurrences(of: "{\"matchers\"", with: "{\"id\":\"\(id)\",\"matchers\"")
            let again = try await server.request(.POST, "/api/v2/silences", body: update)
            #expect(again.json["silenceID"] as? String == id)
            #expect(await server.api.silenceTable[id]?.comment == "still resizing")
            #expect(await server.api.silenceTable.count == 1)

            let unknown = Self.body.replacingOccurrences(of: "{\"matchers\"", with: "{\"id\":\"nope\",\"matchers\"")
            #expect(try await server.request(.POST, "/api/v2/silences", body: unknown).status == 404)
        }
    }

    @Test func deleteExpiresTheSilenceAndASecondDeleteIsAConflict() async throws {
        try await TestServer.with(listen: nil) { server in
            let id = try #require(
                try await server.request(.POST, "/api/v2/silences", body: Self.body).json["silenceID"] as? String)
            let deleted = try await server.request(.DELETE, "/api/v2/silence/\(id)?by=bo")
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(await server.api.expiredBy[id] == "bo")
            let list = try await server.request(.GET, "/api/v2/silences")
            let states = try JSONDecoder().decode([GettableSilence].self, from: list.body).map(\.state)
            #expect(states == [.expired])
            #expect(try await server.request(.DELETE, "/api/v2/silence/\(id)").status == 409)
            #expect(try await server.request(.DELETE, "/api/v2/silence/unknown").status == 404)
            // AM's own DELETE names nobody.
            let other = try #require(
                try await server.request(.POST, "/api/v2/silences", body: Self.body).json["silenceID"] as? String)
            _ = try await server.request(.DELETE, "/api/v2/silence/\(other)")
            #expect(await server.api.expiredBy[other] == "alertmanager-api")
        }
    }

    @Test func theListFiltersByStateAndMatchersLikeAlertmanager() async throws {
        let api = FakeIncidentAPI()
        let now = Fixtures.now
        func silence(_ id: String, _ matchers: [SilenceMatcher], starts: Duration, ends: Duration) -> Silence {
            Silence(
                id: id, matchers: matchers, startsAt: now + starts, endsAt: now + ends, createdBy: "ana",
                comment: "c", updatedAt: now)
        }
        await api.add(
            silence("a", [.init(name: "alertname", value: "DiskFull")], starts: .seconds(-60), ends: .seconds(60)))
        await api.add(
            silence("p", [.init(name: "alertname", value: "Load")], starts: .seconds(60), ends: .seconds(120)))
        await api.add(
            silence("e", [.init(name: "alertname", value: "DiskFull")], starts: .seconds(-120), ends: .seconds(-60)))
        try await TestServer.with(api: api, listen: nil) { server in
            // Active first, then pending, then expired.
            let all = try await Self.ids(server, "")
            #expect(all == ["a", "p", "e"])
            #expect(try await Self.ids(server, "?expired=false") == ["a", "p"])
            #expect(try await Self.ids(server, "?active=false&pending=false") == ["e"])
            #expect(try await Self.ids(server, "?filter=alertname%3D%22DiskFull%22") == ["a", "e"])
            #expect(try await Self.ids(server, "?filter=alertname%3D~%22Disk.%2A%22&expired=false") == ["a"])
            #expect(try await Self.ids(server, "?filter=%7Balertname%21%3D%22DiskFull%22%7D") == ["p"])
            #expect(try await server.request(.GET, "/api/v2/silences?filter=%3D%3D").status == 400)
            #expect(try await server.request(.GET, "/api/v2/silences?active=maybe").status == 400)
        }
    }

    /// A PostableSilence body with one part changed.
    static func post(
        matchers: String = #"[{"name":"a","value":"b","isRegex":false}]"#, startsAt: String = "2026-11-22T07:00:00Z",
        endsAt: String = "2026-11-22T09:00:00Z", createdBy: String? = "a"
    ) -> String {
        let by = createdBy.map { #","createdBy":"\#($0)""# } ?? ""
        return #"{"matchers":\#(matchers),"startsAt":"\#(startsAt)","endsAt":"\#(endsAt)"\#(by),"comment":"c"}"#
    }

    /// The ids `GET /api/v2/silences` lists for a query, in order.
    static func ids(_ server: TestServer, _ query: String) async throws -> [String] {
        let reply = try await server.request(.GET, "/api/v2/silences\(query)")
        #expect(reply.status == 200, "\(reply.text)")
        return try JSONDecoder().decode([GettableSilence].self, from: reply.body).map(\.silence.id)
    }

    @Test(
        arguments: [
            ("", "the body is empty"),
            ("[]", "must be"),
            (post(matchers: "[]"), "matchers is empty"),
            (post().replacingOccurrences(of: #""matchers":"#, with: #""other":"#), "matchers is required"),
            (post(matchers: #"[{"name":"a","value":"b"}]"#), "isRegex is required"),
            (post(matchers: #"[{"name":"a","value":"b","isRegex":"no"}]"#), "isRegex must be"),
            (post(matchers: #"[{"name":"a","value":".*","isRegex":true}]"#), "mute everything"),
            (
                post(
                    matchers: #"[{"name":"a","value":"","isRegex":false},"#
                        + #"{"name":"b","value":"x","isRegex":false,"isEqual":false}]"#),
                "mute everything"
            ),
            (post(matchers: #"[{"name":"a","value":"(","isRegex":true}]"#), "not a valid regular expression"),
            (post(matchers: #"[{"name":"","value":"x","isRegex":false}]"#), "empty name"),
            (post(startsAt: "2026-11-22T10:00:00Z"), "before startsAt"),
            (post(startsAt: "2026-11-22T05:00:00Z", endsAt: "2026-11-22T06:00:00Z"), "in the past"),
            (post(startsAt: "yesterday"), "not RFC 3339"),
            (post(createdBy: nil), "createdBy is required"),
            (post(createdBy: " "), "createdBy is empty"),
        ])
    func aBodyAlertmanagerWouldRefuseIs400WithTheReason(body: String, reason: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v2/silences", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.json["code"] as? String == "bad_request")
            #expect((reply.json["error"] as? String)?.contains(reason) == true, "\(reply.text)")
            #expect(await server.api.silenceTable.isEmpty)
        }
    }

    @Test func aPlusInTheQueryIsASpaceAsGoClientsWriteIt() async throws {
        let api = FakeIncidentAPI()
        await api.add(
            Silence(
                id: "s", matchers: [SilenceMatcher(name: "alertname", value: "Disk Full")], startsAt: Fixtures.now,
                endsAt: Fixtures.now + .seconds(60), createdBy: "ana", comment: "c", updatedAt: Fixtures.now))
        try await TestServer.with(api: api, listen: nil) { server in
            let found = try await Self.ids(server, "?filter=alertname%3D%22Disk+Full%22")
            #expect(found == ["s"])
        }
    }

    @Test func theTCPListenerWantsTheTokenForSilencesToo() async throws {
        try await TestServer.with { server in
            let bare = try await server.request(.GET, "/api/v2/silences", tcp: true, withToken: false)
            #expect(bare.status == 401)
            #expect(try await server.request(.GET, "/api/v2/silences", tcp: true).status == 200)
        }
    }
}
