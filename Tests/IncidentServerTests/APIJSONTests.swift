import Foundation
import IncidentClient
import IncidentCore
import Testing

/// The documented shapes (docs/API.md) survive encoding and decoding, and name their keys as documented.
@Suite struct APIJSONTests {
    static func json(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// SPEC §13: the alerts that joined through a correlation group are named by their timeline lines; the
    /// first of the others is the root cause. Without such lines there is neither.
    @Test func aCorrelatedDetailNamesItsRootCauseAndRelatedAlerts() throws {
        var detail = Fixtures.detail(Fixtures.incident(3, state: .open))
        #expect(detail.rootCause == nil)
        #expect(detail.relatedAlerts.isEmpty)
        let related = detail.alerts[1].fingerprint
        detail.timeline.append(
            TimelineEntry(
                at: detail.incident.openedAt, type: "correlated",
                detail: "alert \(related) {alertname=\"HostDown\"} of rule 'x' joined by correlation group 'g'"))
        #expect(detail.relatedAlerts == [related])
        #expect(detail.rootCause == detail.alerts[0].fingerprint)
        let object = try Self.json(detail)
        #expect(object["root_cause"] as? String == detail.alerts[0].fingerprint.description)
        #expect(object["related_alerts"] as? [String] == [related.description])
        let text = IncidentDetailView.render(detail, now: detail.incident.openedAt)
        #expect(text.contains("\(detail.alerts[0].fingerprint) (root cause)"))
        #expect(text.contains("\(related) (related)"))
    }

    @Test func anIncidentDetailRoundTrips() throws {
        let detail = Fixtures.detail(Fixtures.incident(3, state: .acknowledged))
        let data = try JSONEncoder().encode(detail)
        #expect(try JSONDecoder().decode(IncidentDetail.self, from: data) == detail)
        let object = try Self.json(detail)
        #expect(
            Set(object.keys) == [
                "id", "title", "kind", "state", "impact", "urgency", "priority", "rule", "group_key", "labels",
                "alerts", "events", "flapping", "escalation", "opened_at", "acknowledged_at", "acknowledged_by",
                "resolved_at", "closed_at", "silenced", "alert_list", "timeline", "notes", "root_cause",
                "related_alerts", "runbook",
            ])
        let alert = try #require((object["alert_list"] as? [[String: Any]])?.first)
        #expect(
            Set(alert.keys) == [
                "fingerprint", "labels", "annotations", "status", "first_seen", "last_seen", "events", "suppressed",
            ])
        #expect(Set((object["timeline"] as? [[String: Any]])?.first?.keys ?? [:].keys) == ["at", "type", "detail"])
    }

    @Test func aNoteIsAtByText() throws {
        let note = IncidentNote(id: 4, incident: 9, at: Fixtures.now, author: "ana", text: "ok")
        #expect(
            try Self.json(note) as NSDictionary == [
                "id": 4, "incident": "INC-9", "at": "2026-11-22T07:00:00Z", "by": "ana", "text": "ok",
            ])
        #expect(try JSONDecoder().decode(IncidentNote.self, from: JSONEncoder().encode(note)) == note)
    }

    @Test func aReportLineHasSecondsOrNull() throws {
        let line = ReportLine(
            kind: .userIssue, priority: .p4, count: 2, meanTimeToAcknowledge: 12.5, meanTimeToResolve: nil)
        let object = try Self.json(line)
        #expect(object["kind"] as? String == "user_issue")
        #expect(object["mtta_seconds"] as? Double == 12.5)
        #expect(object["mttr_seconds"] is NSNull)
        #expect(try JSONDecoder().decode(ReportLine.self, from: JSONEncoder().encode(line)) == line)
    }

    @Test func aReportedIncidentRoundTrips() throws {
        let reported = ReportedIncident(
            kind: .security, title: "t", impact: .low, urgency: .high, labels: ["a": "b"], by: "desk")
        #expect(try JSONDecoder().decode(ReportedIncident.self, from: JSONEncoder().encode(reported)) == reported)
    }

    @Test func aBadTimeInTheTimelineIsADecodingError() {
        let json = #"{"at":"yesterday","type":"opened","detail":""}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TimelineEntry.self, from: Data(json.utf8)) }
    }
}
