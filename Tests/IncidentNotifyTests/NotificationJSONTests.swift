import Foundation
import IncidentCore
import Testing

@testable import IncidentNotify

/// The page's JSON body is written without `JSONEncoder` (`NotificationMessage.json`); these hold it to what
/// the encoder writes for the same value through the `Encodable` conformances the API uses.
@Suite struct NotificationJSONTests {
    static func encoded(_ request: DeliveryRequest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(NotificationMessage(request))
    }

    static func variants() -> [(String, DeliveryRequest)] {
        var out: [(String, DeliveryRequest)] = [("sample", sampleRequest())]
        out.append(("lifecycle", sampleRequest(moment: "ack", attempt: 3)))
        var r = sampleRequest()
        r.incident = nil
        r.event = nil
        out.append(("no incident, no event", r))
        r = sampleRequest()
        r.incident?.escalation = .init(policy: "p", step: nil, round: 4, nextAt: Timestamp(seconds: 1_800_000_000))
        r.incident?.acknowledgedAt = Timestamp(microseconds: 1_700_000_123_456)
        r.incident?.acknowledgedBy = "alice"
        r.incident?.resolvedAt = Timestamp(seconds: 1_700_000_500)
        r.incident?.closedAt = Timestamp(seconds: 1_700_000_600)
        r.incident?.state = .closed
        r.incident?.flapping = true
        r.incident?.silenced = true
        r.notification.user = "bob"
        out.append(("every optional set", r))
        r = sampleRequest()
        r.incident?.escalation = nil
        r.incident?.labels = [:]
        r.event?.annotations = [:]
        r.event?.suppressed = true
        r.event?.status = .resolved
        out.append(("no escalation, empty labels", r))
        return out
    }

    /// Values a sender controls, with everything JSON must escape and text beyond ASCII.
    static let hostile = [
        "quote \" backslash \\ slash / </script>", "line\nbreak\r\ttab", "ünïcode ✓ 🔥👩‍🚒", "",
        "nul \u{0} unit \u{1F} bell \u{7} backspace \u{8} feed \u{C} del \u{7F}", "\\u0041 \\n",
        "e\u{301}x decomposed",
    ]

    /// Label names are written in the encoder's key order (UTF-8 bytes), which differs from `Labels`' own
    /// (`String` order) for names not in composed form.
    @Test func labelNamesAreInTheEncodersOrder() throws {
        var r = sampleRequest()
        let labels = Labels(["e\u{301}x": "1", "\u{e9}a": "2", "Z": "3", "a": "4", "\u{e9}": "5", "": "6"])
        r.incident?.labels = labels
        r.event?.labels = labels
        r.event?.annotations = labels
        let written = Data(NotificationMessage(r).json)
        let encoded = try Self.encoded(r)
        #expect(written == encoded, "\(String(decoding: written, as: UTF8.self))")
    }

    @Test func theWriterWritesWhatTheEncoderWrites() throws {
        for (name, request) in Self.variants() {
            let written = Data(NotificationMessage(request).json)
            let encoded = try Self.encoded(request)
            #expect(
                written == encoded,
                "\(name):\n\(String(decoding: written, as: UTF8.self))\n\(String(decoding: encoded, as: UTF8.self))")
        }
    }

    /// With every sender-controlled string hostile, the two are the same bytes, and read back as the value.
    @Test(arguments: hostile) func hostileValuesReadBackTheSame(_ value: String) throws {
        var r = sampleRequest()
        r.incident?.title = value
        r.incident?.rule = value
        r.incident?.groupKey = value
        r.incident?.acknowledgedBy = value
        r.incident?.labels = Labels([value: value, "alertname": value])
        r.incident?.escalation?.policy = value
        r.event?.labels = Labels([value: value])
        r.event?.annotations = Labels(["summary": value, value: "x"])
        r.notification.user = value
        r.notification.notifier = value
        let written = Data(NotificationMessage(r).json)
        let mine = try #require(try JSONSerialization.jsonObject(with: written) as? NSDictionary)
        let theirs = try #require(try JSONSerialization.jsonObject(with: Self.encoded(r)) as? NSDictionary)
        #expect(mine == theirs, "\(String(decoding: written, as: UTF8.self))")
        let title = (mine["incident"] as? NSDictionary)?["title"] as? String
        #expect(title == value)
        let encoded = try Self.encoded(r)
        #expect(written == encoded, "\(String(decoding: encoded, as: UTF8.self))")
    }
}

/// The reference the tests hold `NotificationMessage.json` to: the message through `JSONEncoder`, the incident and
/// alert through the `Encodable` conformances the API uses.
extension NotificationMessage: Encodable {
    enum CodingKeys: String, CodingKey { case incident, event, notification }

    enum AboutKeys: String, CodingKey {
        case key = "idempotency_key"
        case notifier, trigger, policy, step, round, due, attempt, user
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(incident, forKey: .incident)
        try c.encode(event, forKey: .event)
        var a = c.nestedContainer(keyedBy: AboutKeys.self, forKey: .notification)
        let n = notification
        try a.encode(n.key, forKey: .key)
        try a.encode(n.notifier, forKey: .notifier)
        try a.encode(n.trigger, forKey: .trigger)
        try a.encode(n.policy, forKey: .policy)
        try a.encode(n.step, forKey: .step)
        try a.encode(n.round, forKey: .round)
        try a.encode(n.due, forKey: .due)
        try a.encode(n.attempt, forKey: .attempt)
        try a.encode(n.user, forKey: .user)
    }
}
