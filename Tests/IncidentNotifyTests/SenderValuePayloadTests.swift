import Foundation
import IncidentCore
import Testing

@testable import IncidentNotify

/// Every value a sender controls (a title made from labels and annotations, who acknowledged, the rule and
/// policy names) reaches the payloads as data: Slack gets it escaped so it cannot ping or forge links, the
/// other formats get it intact, and every format stays within its receiver's limits.
@Suite struct SenderValuePayloadTests {
    static let hostile = [
        "<!channel> disk full", "<!here>", "<!everyone>", "ping <@U123>", "<#C0123|general>",
        "<!subteam^S0123|@oncall>", "<http://evil.example/|click here>", "<mailto:a@evil.example|mail>",
        "a & b", "&lt;already escaped&gt;", "&amp;", "<<>>", "*bold* _it_ ~strike~ `code`", "\u{202E}rtl <x>",
    ]

    /// A request whose every sender-controlled text is `value`.
    func request(_ value: String, moment: String? = nil) -> DeliveryRequest {
        var request = sampleRequest(moment: moment)
        request.incident?.title = value
        request.incident?.rule = value
        request.incident?.acknowledgedBy = value
        request.notification.policy = value
        return request
    }

    /// Every `text` in a Slack body: the top-level one, section texts, fields and context elements.
    func texts(_ value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, member in
                key == "text" ? ((member as? String).map { [$0] } ?? texts(member)) : texts(member)
            }
        case let array as [Any]: return array.flatMap(texts)
        default: return []
        }
    }

    /// Slack's own escaping, done by hand as the expectation.
    func slackEscaped(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    @Test(arguments: hostile)
    func slackTextCannotPingOrLink(_ value: String) throws {
        for moment in [nil, "ack", "resolve"] as [String?] {
            let body = try json(PayloadRenderer.slack(request(value, moment: moment)))
            let all = texts(body)
            #expect(all.count >= 3)
            for text in all {
                // Our own formatting uses neither, so any `<` or `>` would be the sender's control sequence.
                #expect(!text.contains("<") && !text.contains(">"), "unescaped in \(text)")
                // Every `&` starts one of the three entities: a sender's `&lt;` arrives as text, not as `<`.
                let stripped = text.replacingOccurrences(of: "&amp;", with: "").replacingOccurrences(
                    of: "&lt;", with: ""
                ).replacingOccurrences(of: "&gt;", with: "")
                #expect(!stripped.contains("&"), "bare & in \(text)")
            }
            let headline = try #require(body["text"] as? String)
            #expect(headline.contains(slackEscaped(value)))
        }
        let fields = texts(try json(PayloadRenderer.slack(request(value))))
        #expect(fields.contains("*Rule*\n" + slackEscaped(value)))
    }

    @Test(arguments: hostile)
    func jsonAndPagerDutyKeepValuesIntact(_ value: String) throws {
        let body = try json(PayloadRenderer.json(request(value)))
        let incident = try #require(body["incident"] as? [String: Any])
        #expect(incident["title"] as? String == value)
        #expect(incident["rule"] as? String == value)
        #expect((body["notification"] as? [String: Any])?["policy"] as? String == value)
        let event = try json(PayloadRenderer.pagerDuty(request(value), routingKey: "R0UTING"))
        let payload = try #require(event["payload"] as? [String: Any])
        #expect((payload["summary"] as? String)?.contains(value) == true)
        #expect(payload["group"] as? String == value)
        let details = try #require(payload["custom_details"] as? [String: Any])
        #expect((details["incident"] as? [String: Any])?["title"] as? String == value)
    }

    /// Slack refuses a section text over 3000 characters and a field over 2000 (`invalid_blocks`, a 400 the
    /// notifier does not retry): an oversized title must not make the page undeliverable.
    @Test func slackTextsStayWithinSlacksLimits() throws {
        // Each `<` becomes four characters once escaped: the limit applies to the escaped text.
        let body = try json(PayloadRenderer.slack(request(String(repeating: "<", count: 10_000))))
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        let section = try #require((blocks[0]["text"] as? [String: Any])?["text"] as? String)
        #expect(section.count <= 3000)
        #expect(section.hasSuffix("…"))
        // Cut between entities, never inside one.
        #expect(section.dropLast().hasSuffix("&lt;"))
        for field in try #require(blocks[1]["fields"] as? [[String: Any]]) {
            #expect((field["text"] as? String ?? "").count <= 2000)
        }
        #expect((body["text"] as? String ?? "").count <= 3000)
    }

    /// PagerDuty refuses an event over 512 KB and a summary over 1024 characters.
    @Test func pagerDutyEventsStayWithinPagerDutysLimits() throws {
        var request = request(String(repeating: "t", count: 5000))
        let big = String(repeating: "v", count: 4096)
        let labels = Labels(Dictionary(uniqueKeysWithValues: (0..<64).map { ("label_\($0)", big) }))
        request.incident?.labels = labels
        request.event?.labels = labels
        request.event?.annotations = labels
        let data = PayloadRenderer.pagerDuty(request, routingKey: "R0UTING")
        #expect(data.count < 512 * 1024)
        let payload = try #require(try json(data)["payload"] as? [String: Any])
        #expect((payload["summary"] as? String ?? "").count <= 1024)
        #expect((payload["source"] as? String ?? "").count <= 1024)
        #expect((payload["group"] as? String ?? "").count <= 1024)
        #expect(payload["custom_details"] is [String: Any])
    }
}
