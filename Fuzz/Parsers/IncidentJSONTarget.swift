import Foundation
import FuzzSupport
import IncidentCore

/// The API's incident JSON (`IncidentDetail`, the body of `GET /api/v1/incidents/{id}`, encoded as
/// `JSONResponse` does) from arbitrary field values: it is valid JSON, it decodes back to the same detail, and
/// `Labels.jsonText` (the store's label column) is valid JSON of the same labels. Times are drawn from years
/// 0001..9999, the range a decoder may produce.
enum IncidentJSONTarget {
    static let target = FuzzTarget("incident-json") { data in
        var input = FuzzInput(data)
        let detail = detail(&input)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(detail) else {
            FuzzCheck.require(false, "an incident does not encode")
            return
        }
        FuzzCheck.require((try? JSONSerialization.jsonObject(with: json)) != nil, "invalid JSON")
        let decoded = try? JSONDecoder().decode(IncidentDetail.self, from: json)
        FuzzCheck.require(decoded == detail, "decodes to \(String(describing: decoded)), not \(detail)")
        let text = Data(detail.incident.labels.jsonText.utf8)
        let object = try? JSONSerialization.jsonObject(with: text) as? [String: String]
        FuzzCheck.require(object.map { Labels($0) } == detail.incident.labels, "Labels.jsonText is not the labels")
    }

    static func time(_ input: inout FuzzInput) -> Timestamp {
        Timestamp(microseconds: input.int(in: FuzzCheck.validTimes))
    }

    static func labels(_ input: inout FuzzInput) -> Labels {
        Labels((0..<Int(input.byte() % 4)).map { _ in (input.string(), input.string()) })
    }

    static func detail(_ input: inout FuzzInput) -> IncidentDetail {
        let number = Int(input.int(in: 1...Int64.max))
        let escalation =
            input.bool()
            ? Incident.Escalation(
                policy: input.string(), step: input.bool() ? Int(input.int64()) : nil, round: Int(input.int64()),
                nextAt: input.bool() ? time(&input) : nil) : nil
        let incident = Incident(
            number: number, title: input.string(), kind: input.choice(IncidentKind.allCases),
            state: input.choice(IncidentState.allCases), impact: input.choice(Impact.allCases),
            urgency: input.choice(Urgency.allCases), priority: input.choice(Priority.allCases), rule: input.string(),
            groupKey: input.string(), labels: labels(&input), alerts: Int(input.int64()), events: Int(input.int64()),
            flapping: input.bool(), escalation: escalation, openedAt: time(&input),
            acknowledgedAt: input.bool() ? time(&input) : nil, acknowledgedBy: input.bool() ? input.string() : nil,
            resolvedAt: input.bool() ? time(&input) : nil, closedAt: input.bool() ? time(&input) : nil)
        let alerts = (0..<Int(input.byte() % 3)).map { _ in
            AlertSnapshot(
                fingerprint: Fingerprint(rawValue: UInt64(bitPattern: input.int64())), incident: number,
                labels: labels(&input), annotations: labels(&input), status: input.choice(EventStatus.allCases),
                firstSeen: time(&input), lastSeen: time(&input), events: Int(input.int64()), suppressed: input.bool())
        }
        let timeline = (0..<Int(input.byte() % 3)).map { _ in
            TimelineEntry(at: time(&input), type: input.string(), detail: input.string())
        }
        let notes = (0..<Int(input.byte() % 3)).map { _ in
            IncidentNote(
                id: input.int64(), incident: number, at: time(&input), author: input.string(), text: input.rest())
        }
        return IncidentDetail(incident: incident, alerts: alerts, timeline: timeline, notes: notes)
    }
}
