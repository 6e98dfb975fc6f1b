import Foundation
import IncidentCore
import Testing

@testable import IncidentNotify

@Suite struct PayloadTests {
    @Test func jsonCarriesTheIncidentTheEventAndTheNotification() throws {
        let body = try json(PayloadRenderer.json(sampleRequest()))
        let incident = try #require(body["incident"] as? [String: Any])
        #expect(incident["id"] as? String == "INC-7")
        #expect(incident["priority"] as? String == "P1")
        #expect(incident["state"] as? String == "open")
        #expect(incident["opened_at"] as? String == "2023-11-14T22:13:20Z")
        let event = try #require(body["event"] as? [String: Any])
        #expect((event["labels"] as? [String: String])?["instance"] == "web1:9100")
        let about = try #require(body["notification"] as? [String: Any])
        #expect(about["idempotency_key"] as? String == "INC-7/1/0")
        #expect(about["trigger"] as? String == "escalation")
        #expect(about["step"] as? Int == 1)
        #expect(about["attempt"] as? Int == 1)
    }

    @Test func aPageForAPersonNamesThemInTheJSONAndTheText() throws {
        var request = sampleRequest()
        #expect(
            try json(PayloadRenderer.json(request))["notification"].flatMap { $0 as? [String: Any] }?["user"] is NSNull)
        request.notification.user = "<alice>"
        let about = try #require(try json(PayloadRenderer.json(request))["notification"] as? [String: Any])
        #expect(about["user"] as? String == "<alice>")
        let text = try #require(try json(PayloadRenderer.slack(request))["text"] as? String)
        #expect(
            text == "[P1] *INC-7* escalated: Host web1 down (policy 'default' step 1 round 0, paging &lt;alice&gt;)")
    }

    @Test func aLifecycleMessageIsKeyedByMomentAndTime() throws {
        let request = sampleRequest(moment: "ack")
        #expect(request.idempotencyKey == "INC-7/ack/\(request.notification.due.microseconds)")
        let about = try #require(try json(PayloadRenderer.json(request))["notification"] as? [String: Any])
        #expect(about["trigger"] as? String == "ack")
        #expect(about["step"] is NSNull)
    }

    @Test func slackHasTextAndBlocks() throws {
        let body = try json(PayloadRenderer.slack(sampleRequest()))
        let text = try #require(body["text"] as? String)
        #expect(text == "[P1] *INC-7* escalated: Host web1 down (policy 'default' step 1 round 0)")
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.count == 3)
        #expect(String(decoding: PayloadRenderer.slack(sampleRequest()), as: UTF8.self).contains("*Priority*\\nP1"))
    }

    @Test(
        arguments: [
            (nil, "trigger"), ("open", "trigger"), ("ack", "acknowledge"), ("resolve", "resolve"),
            ("close", "resolve"),
        ] as [(String?, String)])
    func pagerDutyUsesTheIncidentAsDedupKey(_ moment: String?, _ action: String) throws {
        let body = try json(PayloadRenderer.pagerDuty(sampleRequest(moment: moment), routingKey: "R0UTING"))
        #expect(body["routing_key"] as? String == "R0UTING")
        #expect(body["dedup_key"] as? String == "INC-7")
        #expect(body["event_action"] as? String == action)
        if action == "trigger" {
            let payload = try #require(body["payload"] as? [String: Any])
            #expect(payload["severity"] as? String == "critical")
            #expect(payload["source"] as? String == "web1:9100")
            #expect(payload["component"] as? String == "node")
            #expect(payload["summary"] as? String != nil)
        } else {
            #expect(body["payload"] == nil)
        }
    }
}
