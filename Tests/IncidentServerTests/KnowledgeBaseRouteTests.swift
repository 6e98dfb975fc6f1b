import Foundation
import IncidentCore
import Testing

@testable import IncidentServer

/// `/api/v1/kb/articles`: save, update, read, list and search knowledge-base articles (SPEC §14).
@Suite struct KnowledgeBaseRouteTests {
    static let incidents = [Fixtures.incident(7, state: .resolved, kind: .outage, priority: .p2)]

    func body(_ fields: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
    }

    @Test func saveThenReadUpdateListAndSearch() async throws {
        try await TestServer.with(api: FakeIncidentAPI(Self.incidents), listen: nil) { server in
            let created = try await server.request(
                .POST, "/api/v1/kb/articles",
                body: body([
                    "title": "INC-7: Disk full", "body": "# Review\n", "learnings": "Watch /var.", "incident": "INC-7",
                    "by": "ana",
                ]))
            #expect(created.status == 201, "\(created.text)")
            #expect(created.headers["Location"].first == "/api/v1/kb/articles/inc-7-disk-full")
            #expect(created.json["slug"] as? String == "inc-7-disk-full")
            #expect(created.json["incident"] as? String == "INC-7")
            #expect(created.json["rule"] as? String == Self.incidents[0].rule)
            #expect(created.json["by"] as? String == "ana")
            #expect(created.json["created_at"] as? String == Fixtures.now.rfc3339)

            let again = try await server.request(
                .POST, "/api/v1/kb/articles", body: body(["title": "INC-7: disk FULL", "body": "x", "by": "bo"]))
            #expect(again.json["slug"] as? String == "inc-7-disk-full-2")

            let read = try await server.request(.GET, "/api/v1/kb/articles/inc-7-disk-full")
            #expect(read.status == 200)
            #expect(read.json["learnings"] as? String == "Watch /var.")
            let decoded = try JSONDecoder().decode(KnowledgeArticle.self, from: read.body)
            #expect(decoded.incident == 7 && decoded.slug == "inc-7-disk-full")

            let updated = try await server.request(
                .PUT, "/api/v1/kb/articles/inc-7-disk-full",
                body: body(["title": "Disk full, reviewed", "body": "# Better", "incident": 7, "by": "ana"]))
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json["slug"] as? String == "inc-7-disk-full")
            #expect(updated.json["title"] as? String == "Disk full, reviewed")

            let list = try await server.request(.GET, "/api/v1/kb/articles?limit=1")
            let articles = list.json["articles"] as? [[String: Any]] ?? []
            #expect(articles.map { $0["slug"] as? String } == ["inc-7-disk-full-2"])

            let search = try await server.request(.GET, "/api/v1/kb/articles?q=reviewed&limit=5")
            #expect(search.status == 200)
            #expect(search.json["query"] as? String == "reviewed")
            let hits = search.json["hits"] as? [[String: Any]] ?? []
            #expect(hits.map { $0["slug"] as? String } == ["inc-7-disk-full"])
            #expect((hits.first?["snippet"] as? String)?.hasPrefix("\u{E000}") == true)
            #expect(await server.api.searches.last?.limit == 5)

            let empty = try await server.request(.GET, "/api/v1/kb/articles?q=")
            #expect(empty.json["hits"] as? [Any] != nil)
            #expect((empty.json["hits"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: [
        ("{}", "title is required"),
        (#"{"title": "t", "by": "ana"}"#, "body is required"),
        (#"{"title": "t", "body": "b"}"#, "by is required"),
        (#"{"title": "a\nb", "body": "b", "by": "ana"}"#, "one line"),
        (#"{"title": "t", "body": "b", "by": "ana", "incident": "INC-x"}"#, "incident"),
        ("", "the body is empty"),
        ("not json", ""),
    ])
    func badDraftsAre400(body: String, message: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let reply = try await server.request(.POST, "/api/v1/kb/articles", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.json["code"] as? String == "bad_request")
            #expect((reply.json["error"] as? String ?? "").contains(message), "\(reply.text)")
        }
    }

    @Test func limitsAreChecked() async throws {
        try await TestServer.with(listen: nil) { server in
            let longTitle = String(repeating: "t", count: 201)
            let title = try await server.request(
                .POST, "/api/v1/kb/articles", body: body(["title": longTitle, "body": "b", "by": "ana"]))
            #expect(title.status == 400)
            #expect((title.json["error"] as? String ?? "").contains("at most 200"))
            let bigBody = String(repeating: "b", count: 256 * 1024 + 1)
            let big = try await server.request(
                .POST, "/api/v1/kb/articles", body: body(["title": "t", "body": bigBody, "by": "ana"]))
            #expect(big.status == 400)
            #expect((big.json["error"] as? String ?? "").contains("256 KiB"))
            for query in ["limit=0", "limit=1001", "limit=x", "offset=-1"] {
                let reply = try await server.request(.GET, "/api/v1/kb/articles?\(query)")
                #expect(reply.status == 400, "\(query)")
            }
        }
    }

    @Test(arguments: ["nope", "Bad_Slug", "..%2F..%2Fetc"])
    func unknownOrImpossibleSlugsAre404(slug: String) async throws {
        try await TestServer.with(listen: nil) { server in
            let read = try await server.request(.GET, "/api/v1/kb/articles/\(slug)")
            #expect(read.status == 404)
            let update = try await server.request(
                .PUT, "/api/v1/kb/articles/\(slug)", body: #"{"title": "t", "body": "b", "by": "ana"}"#)
            #expect(update.status == 404)
        }
    }

    @Test func incidentDetailCarriesTheRunbook() throws {
        var detail = Fixtures.detail(Self.incidents[0])
        detail.runbook = "kb:disk-full"
        let data = try JSONEncoder().encode(detail)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["runbook"] as? String == "kb:disk-full")
        #expect(try JSONDecoder().decode(IncidentDetail.self, from: data).runbook == "kb:disk-full")
        detail.runbook = nil
        let none = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detail)) as? [String: Any]
        #expect(none?["runbook"] is NSNull)
    }
}
