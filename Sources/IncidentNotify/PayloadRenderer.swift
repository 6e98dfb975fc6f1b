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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every member encodes infallibly (strings, numbers, RFC 3339 text).
        return (try? encoder.encode(NotificationMessage(request))) ?? Data("{}".utf8)
    }

    /// A Slack-compatible message (incoming webhooks, Mattermost, Rocket.Chat): `text` for notifications and
    /// clients without blocks, and one section with the incident's fields.
    public static func slack(_ request: DeliveryRequest) -> Data {
        let headline = headline(request)
        var fields: [[String: Any]] = []
        if let i = request.incident {
            for (name, value) in [
                ("Priority", i.priority.rawValue), ("State", i.state.rawValue), ("Kind", i.kind.rawValue),
                ("Rule", i.rule),
            ] {
                fields.append(["type": "mrkdwn", "text": "*\(name)*\n\(value)"])
            }
        }
        var blocks: [[String: Any]] = [["type": "section", "text": ["type": "mrkdwn", "text": headline]]]
        if !fields.isEmpty { blocks.append(["type": "section", "fields": fields]) }
        blocks.append([
            "type": "context",
            "elements": [["type": "mrkdwn", "text": "incidentd · \(request.idempotencyKey)"]],
        ])
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
            var payload: [String: Any] = [
                "summary": String(headline(request, markdown: false).prefix(1024)),
                "source": incident?.labels["instance"] ?? incident?.labels["host"] ?? "incidentd",
                "severity": severity(incident?.priority),
                "timestamp": (incident?.openedAt ?? request.notification.due).rfc3339,
                "custom_details": (try? JSONSerialization.jsonObject(with: json(request))) ?? [:],
            ]
            if let incident {
                payload["class"] = incident.kind.rawValue
                payload["group"] = incident.rule
                if let component = incident.labels["service"] ?? incident.labels["job"] {
                    payload["component"] = component
                }
            }
            event["payload"] = payload
        }
        return object(event)
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

    /// `[P1] INC-7 escalated: Host web1 down (policy 'default' step 1 round 0)`.
    static func headline(_ request: DeliveryRequest, markdown: Bool = true) -> String {
        let n = request.notification
        let title = request.incident?.title ?? "(incident not found in the store)"
        let priority = request.incident.map { "[\($0.priority.rawValue)] " } ?? ""
        let id = markdown ? "*\(request.incidentID)*" : request.incidentID
        switch n.moment {
        case nil:
            return "\(priority)\(id) escalated: \(title) (policy '\(n.policy)' step \(n.step) round \(n.round))"
        case "ack"?:
            let by = request.incident?.acknowledgedBy.map { " by \($0)" } ?? ""
            return "\(priority)\(id) acknowledged\(by): \(title)"
        case let moment?:
            let verb = ["open": "opened", "resolve": "resolved", "reopen": "reopened", "close": "closed"][moment]
            return "\(priority)\(id) \(verb ?? moment): \(title)"
        }
    }

    private static func object(_ value: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }
}
