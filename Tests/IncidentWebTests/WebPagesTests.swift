import IncidentCore
import IncidentWeb
import Testing

/// The pages rendered from hostile values: every template parses, and what senders wrote is escaped.
struct WebPagesTests {
    static let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#
    let pages: WebPages
    let now = Timestamp(seconds: 1_800_000_000)

    init() throws {
        pages = try WebPages()
    }

    func chrome(role: String = "operator") -> PageChrome {
        PageChrome(
            title: "t", section: .incidents, person: .init(name: "alice", role: role, canSignOut: true), csrf: "TOKEN")
    }

    func incident(
        _ number: Int, title: String = hostile, kind: IncidentKind = .outage, state: IncidentState = .open,
        labels: Labels = ["host": hostile, "service": "wiki"]
    ) -> Incident {
        Incident(
            number: number, title: title, kind: kind, state: state, impact: .high, urgency: .high, priority: .p1,
            rule: "host-down", groupKey: "g\(number)", labels: labels, alerts: 1, events: 1, flapping: false,
            escalation: nil, openedAt: now - .seconds(300))
    }

    @Test func listEscapesTitlesAndLabels() {
        let html = pages.incidents(
            chrome(), page: IncidentPage(incidents: [incident(1)], total: 1), search: IncidentSearch(), now: now)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains(#"<a id="row-1" href="/incidents/1">INC-1</a>"#))
        #expect(html.contains("data-live"))
        #expect(!html.contains("<script>") || html.components(separatedBy: "<script").count == 2)
    }

    @Test func listPagesKeepTheFilters() {
        var search = IncidentSearch(states: [.resolved], kind: .outage, text: "db 1&x", offset: 50, limit: 50)
        search.priority = .p2
        let html = pages.incidents(
            chrome(), page: IncidentPage(incidents: (1...50).map { incident($0) }, total: 175), search: search, now: now
        )
        #expect(html.contains(#"href="/?state=resolved&amp;kind=outage&amp;priority=P2&amp;q=db%201%26x""#))
        #expect(
            html.contains(#"href="/?state=resolved&amp;kind=outage&amp;priority=P2&amp;q=db%201%26x&amp;offset=100""#))
        #expect(html.contains("51–100 of 175"))
    }

    @Test func incidentPageEscapesAnnotationsAndLinksOnlyWebURLs() {
        let alert = AlertSnapshot(
            fingerprint: Fingerprint(labels: ["a": "b"]), incident: 1, labels: ["a": Self.hostile],
            annotations: [
                "runbook_url": "javascript:alert(3)", "dashboard": "https://grafana.example/d/1",
                "summary": Self.hostile, "other": "JaVaScRiPt:alert(4)",
            ], status: .firing, firstSeen: now, lastSeen: now, events: 1, suppressed: false)
        let detail = IncidentDetail(
            incident: incident(1), alerts: [alert],
            timeline: [TimelineEntry(at: now, type: "opened", detail: Self.hostile)],
            notes: [IncidentNote(id: 1, incident: 1, at: now, author: Self.hostile, text: Self.hostile)])
        let html = pages.incident(chrome(), detail: detail, runbook: "javascript:alert(5)", past: [], now: now)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("href=\"javascript"))
        #expect(!html.lowercased().contains("href=\"javascript"))
        #expect(html.contains(#"href="https://grafana.example/d/1""#))
        #expect(!html.contains("Runbook:"))
        #expect(html.contains(#"action="/incidents/1/ack""#))
        #expect(html.contains(#"name="_csrf" value="TOKEN""#))
    }

    @Test func viewersSeeNoForms() {
        let detail = IncidentDetail(incident: incident(1), alerts: [], timeline: [], notes: [])
        let html = pages.incident(chrome(role: "viewer"), detail: detail, runbook: nil, past: [], now: now)
        #expect(!html.contains("/incidents/1/ack"))
        #expect(!html.contains("/incidents/1/notes"))
    }

    @Test func statusPageShowsServicesOnly() {
        let incidents = [
            incident(1, kind: .outage, labels: ["service": "wiki", "host": "db1.internal", "team": "alice"]),
            incident(2, kind: .degradation, state: .acknowledged, labels: ["service": "10.0.0.7"]),
            incident(3, kind: .security, labels: ["service": "vpn"]),
            incident(4, kind: .degradation, labels: ["service": "db1.internal", "host": "db1.internal"]),
            incident(5, kind: .outage, state: .resolved, labels: ["service": "mail"]),
        ]
        let html = pages.status(
            PageChrome(title: "Status", section: .status, person: nil, csrf: "", statusPublic: true),
            incidents: incidents, now: now)
        #expect(html.contains("<h2>wiki</h2>"))
        #expect(html.contains("<h2>Other services</h2>"))
        for secret in ["db1", "10.0.0.7", "alice", "vpn", "mail", "host-down", "INC-", "alert(", "onerror", "host"] {
            #expect(!html.contains(secret), "status page shows \(secret)")
        }
    }

    @Test func portalFormMapsAnswersToImpactAndUrgency() throws {
        let report = try PortalReport(form: [
            "summary": "Wiki is down", "service": "wiki", "reach": "many", "urgency": "now",
        ])
        let reported = report.reported(by: "bob")
        #expect(reported.kind == .userIssue)
        #expect(reported.impact == .high && reported.urgency == .high)
        #expect(reported.labels["reporter"] == "bob" && reported.labels["service"] == "wiki")
        #expect(throws: PortalFormError.self) { try PortalReport(form: ["summary": "x", "reach": "all"]) }
        #expect(throws: PortalFormError.self) {
            try PortalReport(form: ["summary": " ", "reach": "me", "urgency": "now"])
        }
    }

    @Test func safeLinks() {
        #expect(SafeLink.href("https://x.example/a?b=c") == "https://x.example/a?b=c")
        #expect(SafeLink.href("/kb/disk-full") == "/kb/disk-full")
        for bad in [
            "javascript:alert(1)", "JAVASCRIPT:x", "java\nscript:x", " https://x", "//evil.example", "/\\evil",
            "data:text/html,x", "vbscript:x", "",
        ] {
            #expect(SafeLink.href(bad) == nil, "\(bad) became a link")
        }
    }
}
