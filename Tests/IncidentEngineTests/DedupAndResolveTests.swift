import IncidentCore
import IncidentEngine
import Testing

@Suite("dedup and resolve")
struct DedupAndResolveTests {
    static let rules = """
        rules:
          - name: any
            match: []
            kind: outage
            impact: high
        """

    @Test func repeatsOfOneAlertAreAbsorbed() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A", "host": "h1"], at: 0, annotations: ["summary": "first"])
        h.send(["alertname": "A", "host": "h1"], at: 10, annotations: ["summary": "second"])
        h.send(["alertname": "A", "host": "h1"], at: 20, annotations: ["summary": "third"])
        #expect(h.list.count == 1)
        #expect(h.list[0].alerts == 1)
        #expect(h.list[0].events == 3)
        let alert = h.engine.alerts(of: h.list[0].number)[0]
        #expect(alert.events == 3)
        #expect(alert.lastSeen == at(20))
        #expect(alert.annotations["summary"] == "third")
        #expect(h.engine.stats.absorbed == 3)
    }

    @Test func anOlderEventDoesNotOverwriteNewerAnnotations() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 20, annotations: ["summary": "new"])
        h.send(event(["alertname": "A"], 10, annotations: ["summary": "old"], delay: 15))
        let alert = h.engine.alerts(of: 1)[0]
        #expect(alert.annotations["summary"] == "new")
        #expect(alert.lastSeen == at(20))
        #expect(alert.events == 2)
    }

    @Test func resolvedFromTheSourceResolvesTheIncident() {
        var h = Harness(Self.rules)
        h.send(["alertname": "A"], at: 0)
        h.send(["alertname": "A"], at: 60, status: .resolved)
        #expect(h.list[0].state == .resolved)
        #expect(h.list[0].resolvedAt == at(60))
        #expect(h.timeline(of: 1, type: "resolved") == ["all 1 alerts resolved"])
    }

    @Test func aResolveForAnUnknownAlertIsStale() {
        var h = Harness(Self.rules)
        h.send(["alertname": "never-fired"], at: 0, status: .resolved)
        #expect(h.list.isEmpty)
        #expect(h.engine.stats.stale == 1)
        #expect(h.engine.stats.accounted == h.engine.stats.eventsIn)
    }

    @Test("resolve_after: journal events resolve after the default 1h, other sources never by default")
    func resolveAfterDefaults() {
        var h = Harness(Self.rules)
        h.send(
            ["source": "journal", "identifier": "kernel"], at: 0, annotations: ["message": "oops"], source: .journal)
        h.send(["alertname": "B"], at: 0)
        h.advance(3600 + 59)
        #expect(h.list.allSatisfy { $0.state == .open }, "absence is decided one clamp (1m) after its nominal time")
        h.advance(3600 + 60)
        #expect(h.list[0].state == .resolved)
        #expect(h.list[0].resolvedAt == at(3600), "the recorded time is the nominal one")
        #expect(h.list[1].state == .open)
    }

    @Test func resolveAfterIsPushedBackByEachFiringEvent() {
        var h = Harness(
            """
            rules:
              - { name: quiet, match: [], resolve_after: 10m }
            """)
        h.send(["alertname": "A"], at: 0)
        h.send(["alertname": "A"], at: 300)
        h.advance(600 + 61)
        #expect(h.list[0].state == .open)
        h.advance(900 + 60)
        #expect(h.list[0].state == .resolved)
        #expect(h.list[0].resolvedAt == at(900))
        #expect(h.timeline(of: 1, type: "alert_resolved").first?.contains("resolve_after") == true)
    }

    @Test func endsAtInTheFutureResolvesWhenNotRefreshed() {
        var h = Harness(Self.rules)
        var e = event(["alertname": "Prom"], 0)
        e.endsAt = at(240)
        h.send(e)
        h.advance(240 + 60)
        #expect(h.list[0].state == .resolved)
        #expect(h.timeline(of: 1, type: "alert_resolved").first?.contains("endsAt") == true)
    }

    @Test func aResolveThatArrivesBeforeItsFiringEventStillResolves() {
        var h = Harness(Self.rules)
        // The resolve (event time 20s) overtakes the firing event (event time 10s) on the way in.
        h.send(event(["alertname": "A"], 20, status: .resolved, delay: 0))
        h.send(event(["alertname": "A"], 10, delay: 15))
        #expect(h.list.count == 1)
        #expect(h.list[0].state == .resolved)
        #expect(h.engine.stats.accounted == h.engine.stats.eventsIn)
    }

    @Test func dropAndUnmatchedAreCountedNotLost() {
        var h = Harness(
            """
            rules:
              - { name: noise, match: ['alertname="Watchdog"'], drop: true }
              - { name: real, match: ['alertname="Real"'] }
            """)
        h.send(["alertname": "Watchdog"], at: 0)
        h.send(["alertname": "Other"], at: 1)
        h.send(["alertname": "Real"], at: 2)
        let s = h.engine.stats
        #expect(s.dropped == 1)
        #expect(s.unmatched == 1)
        #expect(s.absorbed == 1)
        #expect(s.accounted == s.eventsIn)
        #expect(h.effects.contains(.dropped(rule: "noise")))
        #expect(h.effects.contains(.unmatched(["alertname": "Other"])))
    }

    @Test func pagerDutyAcknowledgeAndResolveFindTheirTriggerByDedupKey() {
        var h = Harness(Self.rules)
        h.send(
            ["dedup_key": "k1", "source": "db1", "severity": "critical"], at: 0, annotations: ["summary": "db down"])
        var ack = event(["dedup_key": "k1"], 30)
        ack.acknowledges = true
        h.send(ack)
        #expect(h.list[0].state == .acknowledged)
        #expect(h.list[0].acknowledgedBy == "pagerduty")
        h.send(["dedup_key": "k1"], at: 60, status: .resolved)
        #expect(h.list[0].state == .resolved)
        #expect(h.engine.stats.absorbed == 3)
    }

    @Test func equalLabelsDecidedByDifferentRulesAreDifferentAlerts() {
        var h = Harness(
            """
            rules:
              - { name: invalid-user, match: ['identifier="sshd"', 'message=~"Invalid user .*"'], kind: security }
              - { name: failed-password, match: ['identifier="sshd"', 'message=~"Failed password .*"'], kind: security, impact: high }
            """)
        let labels: Labels = ["source": "journal", "identifier": "sshd", "host": "web1"]
        h.send(labels, at: 0, annotations: ["message": "Invalid user bob from 10.0.0.9"], source: .journal)
        h.send(
            labels, at: 1, annotations: ["message": "Failed password for invalid user bob from 10.0.0.9"],
            source: .journal)
        h.send(labels, at: 2, annotations: ["message": "Invalid user eve from 10.0.0.9"], source: .journal)
        #expect(h.list.map(\.rule) == ["invalid-user", "failed-password"])
        #expect(h.list.map(\.events) == [2, 1])
        let shown = h.engine.alerts(of: 1)[0].fingerprint
        #expect(shown == labels.fingerprint, "the fingerprint shown stays Alertmanager's, over the labels")
    }
}
