import Foundation
import IncidentClient
import IncidentCore
import Testing

/// What list, show, report and review print, from JSON as the API writes it.
@Suite struct RenderingTests {
    /// `GET /api/v1/incidents/INC-7` as documented in docs/API.md.
    static let showJSON = """
        {"id":"INC-7","title":"Host db1 is down","kind":"outage","state":"resolved","impact":"high",
         "urgency":"high","priority":"P1","rule":"host-down","group_key":"{instance=\\"db1:9100\\"}",
         "labels":{"alertname":"HostDown","instance":"db1:9100"},"alerts":1,"events":4,"flapping":false,
         "escalation":{"policy":"critical","step":2,"round":0,"next_at":null},
         "opened_at":"2026-11-22T06:00:00Z","acknowledged_at":"2026-11-22T06:04:12Z","acknowledged_by":"ana",
         "resolved_at":"2026-11-22T07:02:00Z","closed_at":null,
         "alert_list":[{"fingerprint":"0123456789abcdef","labels":{"alertname":"HostDown","instance":"db1:9100"},
           "annotations":{"summary":"db1 unreachable"},"status":"resolved","first_seen":"2026-11-22T06:00:00Z",
           "last_seen":"2026-11-22T07:01:00Z","events":4,"suppressed":false}],
         "timeline":[{"at":"2026-11-22T06:00:00Z","type":"opened","detail":"alert HostDown fired"},
           {"at":"2026-11-22T06:02:00Z","type":"escalated","detail":"step 1 round 0: notified oncall"},
           {"at":"2026-11-22T06:04:12Z","type":"acknowledged","detail":"by ana"},
           {"at":"2026-11-22T07:02:00Z","type":"resolved","detail":"by ana: all alerts resolved"}],
         "notes":[{"id":1,"incident":"INC-7","at":"2026-11-22T06:10:00Z","by":"ana","text":"power supply | failed"}]}
        """

    static let now = Timestamp(rfc3339: "2026-11-22T08:00:00Z")!

    static func detail() throws -> IncidentDetail {
        try JSONDecoder().decode(IncidentDetail.self, from: Data(showJSON.utf8))
    }

    @Test func theListIsATable() throws {
        let detail = try Self.detail()
        var second = detail.incident
        second.number = 12
        second.state = .open
        second.flapping = true
        second.priority = .p3
        second.kind = .degradation
        second.title = "Slow API"
        second.openedAt = Self.now - .seconds(252)
        let text = IncidentListView.render([second, detail.incident], now: Self.now)
        #expect(
            text == """
                ID      PRI  STATE            KIND         ALERTS  EVENTS  OPENED     TITLE
                INC-12  P3   open (flapping)  degradation  1       4       4m12s ago  Slow API
                INC-7   P1   resolved         outage       1       4       2h ago     Host db1 is down
                """)
        #expect(IncidentListView.render([], now: Self.now) == "no incidents")
    }

    @Test func showHasTheFieldsAlertsTimelineAndNotes() throws {
        let text = IncidentDetailView.render(try Self.detail(), now: Self.now)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "INC-7  Host db1 is down")
        #expect(lines.contains("  priority:     P1 (impact high, urgency high)"))
        #expect(lines.contains("  acknowledged: 2026-11-22T06:04:12Z (1h55m ago) by ana"))
        #expect(lines.contains("  closed:       -"))
        #expect(lines.contains("  escalation:   policy critical, next step 2, round 0"))
        #expect(text.contains("ALERTS\n  FINGERPRINT       STATUS    EVENTS  FIRST SEEN  LAST SEEN  LABELS"))
        #expect(text.contains("  0123456789abcdef  resolved  4       2h ago      59m ago    {alertname=\"HostDown\""))
        #expect(text.contains("  2026-11-22T06:02:00Z  escalated     step 1 round 0: notified oncall"))
        #expect(lines.last == "  2026-11-22T06:10:00Z  ana: power supply | failed")
    }

    @Test func theReportHasHumanDurationsAndATotal() throws {
        let json = """
            {"since":"2026-11-15T08:00:00Z","total":5,"lines":[
             {"kind":"outage","priority":"P1","count":3,"mtta_seconds":252,"mttr_seconds":3720.4},
             {"kind":"security","priority":"P2","count":2,"mtta_seconds":null,"mttr_seconds":null}]}
            """
        let report = try JSONDecoder().decode(IncidentReport.self, from: Data(json.utf8))
        #expect(
            ReportView.render(report) == """
                incidents opened since 2026-11-15T08:00:00Z: 5

                KIND      PRIORITY  COUNT  MTTA   MTTR
                outage    P1        3      4m12s  1h2m
                security  P2        2      -      -
                total               5

                MTTA: mean time from opening to acknowledgement; MTTR: to resolution; - when none was.
                """)
    }

    @Test func anEmptyReportSaysSo() {
        let report = IncidentReport(since: Self.now, lines: [], total: 0)
        #expect(ReportView.render(report) == "incidents opened since 2026-11-22T08:00:00Z: 0")
    }

    @Test func theReviewIsMarkdownWithEverySection() throws {
        let text = ReviewDocument.render(try Self.detail(), now: Self.now)
        #expect(text.hasPrefix("# Post-incident review: INC-7 — Host db1 is down\n"))
        for line in [
            "| Priority | P1 (impact high, urgency high) |",
            "| Acknowledged | 2026-11-22T06:04:12Z by ana |",
            "| Closed | - |",
            "| Time to acknowledge | 4m12s |",
            "| Time to resolve | 1h2m |",
            "| `0123456789abcdef` | {alertname=\"HostDown\", instance=\"db1:9100\"} | resolved | "
                + "2026-11-22T06:00:00Z | 2026-11-22T07:01:00Z | 4 | no |",
            "- 2026-11-22T06:02:00Z **escalated**: step 1 round 0: notified oncall",
            "| 2026-11-22T07:02:00Z | resolved | by ana: all alerts resolved |",
            "- 2026-11-22T06:10:00Z **ana**: power supply | failed",
        ] {
            #expect(text.contains(line + "\n"), "missing: \(line)")
        }
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }
        #expect(
            headings == [
                "## Summary", "## Alerts", "## Escalations", "## Timeline", "## Notes", "## Root cause",
                "## Action items",
            ])
        // Only escalation entries are listed under Escalations.
        #expect(!text.contains("**acknowledged**"))
    }

    @Test func tableCellsEscapePipesAndLineBreaks() throws {
        var detail = try Self.detail()
        detail.timeline = [TimelineEntry(at: Self.now, type: "note", detail: "a | b\nc")]
        #expect(ReviewDocument.render(detail, now: Self.now).contains("| 2026-11-22T08:00:00Z | note | a \\| b c |\n"))
    }

    @Test(arguments: [
        (0.0, "0s"), (0.4, "0s"), (45, "45s"), (252, "4m12s"), (3600, "1h"), (3605, "1h5s"), (3720.4, "1h2m"),
        (90_061, "1d1h"), (-5, "0s"),
    ])
    func durationsShowTheTwoLargestUnits(seconds: Double, text: String) {
        #expect(ElapsedText.format(seconds: seconds) == text)
    }

    @Test func agesAreRelativeToNow() {
        #expect(ElapsedText.age(of: Self.now - .seconds(300), now: Self.now) == "5m ago")
        #expect(ElapsedText.age(of: Self.now, now: Self.now) == "just now")
        #expect(ElapsedText.age(of: Self.now + .seconds(120), now: Self.now) == "in 2m")
    }
}
