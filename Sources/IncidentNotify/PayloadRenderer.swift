import Foundation
import IncidentCore

/// Renders a notification as the body a webhook `format` asks for. Pure, so every format is tested byte for
/// byte without a receiver.
public enum PayloadRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case json
        case slack
        case pagerduty
    }

    /// The `json` body (and the file and exec notifiers' payload): see `NotificationMessage`.
    public static func json(_ request: DeliveryRequest) -> Data {
        Data(NotificationMessage(request).json)
    }

    /// A Slack-compatible message (incoming webhooks, Mattermost, Rocket.Chat): `text` for notifications and
    /// clients without blocks, and one section with the incident's fields.
    ///
    /// Every value a sender controls (the title, made from labels and annotations; who acknowledged; rule and
    /// policy names) goes in through `SlackText`, escaped as Slack asks (`&amp;` `&lt;` `&gt;`): unescaped,
    /// `<!channel>` in an annotation pinged everyone and `<http://evil|click>` forged a link. Texts are cut to
    /// Slack's limits, which it enforces by refusing the message with a 400 we do not retry.
    public static func slack(_ request: DeliveryRequest) -> Data {
        let headline = SlackText.limited(headline(request, escape: SlackText.escape), to: SlackText.sectionLimit)
        var fields: [[String: Any]] = []
        if let i = request.incident {
            for (name, value) in [
                ("Priority", i.priority.rawValue), ("State", i.state.rawValue), ("Kind", i.kind.rawValue),
                ("Rule", i.rule),
            ] {
                let text = SlackText.limited("*\(name)*\n" + SlackText.escape(value), to: SlackText.fieldLimit)
                fields.append(["type": "mrkdwn", "text": text])
            }
        }
        var blocks: [[String: Any]] = [["type": "section", "text": ["type": "mrkdwn", "text": headline]]]
        if !fields.isEmpty { blocks.append(["type": "section", "fields": fields]) }
        let context = SlackText.limited(
            "incidentd · " + SlackText.escape(request.idempotencyKey), to: SlackText.sectionLimit)
        blocks.append(["type": "context", "elements": [["type": "mrkdwn", "text": context]]])
        return object(["text": headline, "blocks": blocks])
    }

    /// A PagerDuty Events API v2 event. `dedup_key` is the incident id, so this incident's acknowledge and
    /// resolve (sent when the notifier's `on:` lists `ack`/`resolve`) act on the PagerDuty alert its pages
    /// opened, and PagerDuty's own acknowledge, posted back to `/api/v1/webhook/pagerduty`, names the incident.
    public static func pagerDuty(_ request: DeliveryRequest, routingKey: String) -> Data {
        let action: String
        switch request.trigger {
        case "ack": action = "acknowledge"
        case "resolve", "close": action = "resolve"
        default: action = "trigger"
        }
        var event: [String: Any] = [
            "routing_key": routingKey, "event_action": action, "dedup_key": request.incidentID,
        ]
        if action == "trigger" {
            let incident = request.incident
            // Values go in as they are (JSON carries them intact), cut to PagerDuty's limits: it refuses an event
            // with a summary over 1024 characters or a body over 512 KB.
            var payload: [String: Any] = [
                "summary": String(headline(request).prefix(1024)),
                "source": String(
                    (incident?.labels["instance"] ?? incident?.labels["host"] ?? "incidentd").prefix(1024)),
                "severity": severity(incident?.priority),
                "timestamp": (incident?.openedAt ?? request.notification.due).rfc3339,
                "custom_details": customDetails(request),
            ]
            if let incident {
                payload["class"] = incident.kind.rawValue
                payload["group"] = String(incident.rule.prefix(1024))
                if let component = incident.labels["service"] ?? incident.labels["job"] {
                    payload["component"] = String(component.prefix(1024))
                }
            }
            event["payload"] = payload
        }
        return object(event)
    }

    /// The `json` payload for PagerDuty's `custom_details`, within its 512 KB event limit: 64 labels of 4 KiB
    /// each on the incident, and as many labels and annotations on the event, come to more. The event (the
    /// largest part) goes first, then the incident's labels; the rest is small.
    static let customDetailsLimit = 400 * 1024

    static func customDetails(_ request: DeliveryRequest) -> Any {
        var request = request
        var data = json(request)
        if data.count > customDetailsLimit {
            request.event = nil
            data = json(request)
        }
        if data.count > customDetailsLimit {
            if var incident = request.incident {
                incident.labels = [:]
                incident.title = String(incident.title.prefix(1024))
                request.incident = incident
            }
            data = json(request)
        }
        guard data.count <= customDetailsLimit, let object = try? JSONSerialization.jsonObject(with: data) else {
            return ["note": "the payload is too large for PagerDuty; see incidentctl show \(request.incidentID)"]
        }
        return object
    }

    /// `P1`, `P2` → critical, error; `P3` → warning; lower → info (PagerDuty's four severities).
    static func severity(_ priority: Priority?) -> String {
        switch priority {
        case .p1: "critical"
        case .p2: "error"
        case .p3: "warning"
        default: "info"
        }
    }

    /// `[P1] INC-7 escalated: Host web1 down (policy 'default' step 1 round 0)`. With `escape` (Slack's), the
    /// id is bold and every sender-controlled value passes through `escape`; without, it is plain text.
    static func headline(_ request: DeliveryRequest, escape: ((String) -> String)? = nil) -> String {
        let e = escape ?? { $0 }
        let n = request.notification
        let title = e(request.incident?.title ?? "(incident not found in the store)")
        let priority = request.incident.map { "[\($0.priority.rawValue)] " } ?? ""
        let id = escape == nil ? request.incidentID : "*\(request.incidentID)*"
        switch n.moment {
        case nil:
            let person = n.user.map { ", paging \(e($0))" } ?? ""
            return
                "\(priority)\(id) escalated: \(title) (policy '\(e(n.policy))' step \(n.step) round \(n.round)\(person))"
        case "ack"?:
            let by = request.incident?.acknowledgedBy.map { " by \(e($0))" } ?? ""
            return "\(priority)\(id) acknowledged\(by): \(title)"
        case let moment?:
            let verb = ["open": "opened", "resolve": "resolved", "reopen": "reopened", "close": "closed"][moment]
            return "\(priority)\(id) \(verb ?? e(moment)): \(title)"
        }
    }

    private static func object(_ value: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}
