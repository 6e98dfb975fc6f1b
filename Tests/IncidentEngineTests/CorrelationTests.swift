import IncidentCore
import IncidentEngine
import Testing

@Suite("grouping, reopen, flapping")
struct GroupingTests {
    static let rules = """
        rules:
          - name: by-host
            match: ['alertname=~"CPU|Disk|Mem"']
            kind: degradation
            impact: medium
            group_by: [host]
            group_window: 30m
            reopen_within: 10m
            flapping: { reopens: 2, within: 1h }
            title: 'trouble on {{host}}'
        """

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var events: [(Labels, Double)]
        var incidents: Int
        var alertsPerIncident: [Int]
    }

    static let cases: [Case] = [
        Case(
            description: "same host groups",
            events: [(["alertname": "CPU", "host": "a"], 0), (["alertname": "Disk", "host": "a"], 60)], incidents: 1,
            alertsPerIncident: [2]),
        Case(
            description: "other host apart",
            events: [(["alertname": "CPU", "host": "a"], 0), (["alertname": "CPU", "host": "b"], 60)], incidents: 2,
            alertsPerIncident: [1, 1]),
        Case(
            description: "within the window",
            events: [(["alertname": "CPU", "host": "a"], 0), (["alertname": "Mem", "host": "a"], 29 * 60)],
            incidents: 1, alertsPerIncident: [2]),
        Case(
            description: "after a quiet window opens anew",
            events: [(["alertname": "CPU", "host": "a"], 0), (["alertname": "Mem", "host": "a"], 31 * 60)],
            incidents: 2, alertsPerIncident: [1, 1]),
        Case(
            description: "activity keeps the window open",
            events: [
                (["alertname": "CPU", "host": "a"], 0), (["alertname": "CPU", "host": "a"], 25 * 60),
                (["alertname": "Mem", "host": "a"], 50 * 60),
            ], incidents: 1, alertsPerIncident: [2]),
    ]

    @Test(arguments: cases)
    func grouping(_ c: Case) {
        var h = Harness(Self.rules)
        for (labels, time) in c.events { h.send(labels, at: time) }
        #expect(h.list.count == c.incidents)
        #expect(h.list.map(\.alerts) == c.alertsPerIncident)
        #expect(h.list.allSatisfy { $0.title.hasPrefix("trouble on ") })
    }

    @Test func groupingIsExplainedInTheTimeline() {
        var h = Harness(Self.rules)
        h.send(["alertname": "CPU", "host": "a"], at: 0)
        h.send(["alertname": "Disk", "host": "a"], at: 10)
        let grouped = h.timeline(of: 1, type: "grouped")
        #expect(grouped.count == 1)
        #expect(grouped[0].contains("by-host"))
        #expect(grouped[0].contains(#"by-host{host="a"}"#))
        #expect(h.list[0].labels == ["host": "a"], "incident labels are the ones all its alerts share")
    }

    @Test func theIncidentResolvesOnlyWhenAllItsAlertsHave() {
        var h = Harness(Self.rules)
        h.send(["alertname": "CPU", "host": "a"], at: 0)
        h.send(["alertname": "Disk", "host": "a"], at: 10)
        h.send(["alertname": "CPU", "host": "a"], at: 100, status: .resolved)
        #expect(h.list[0].state == .open)
        h.send(["alertname": "Disk", "host": "a"], at: 200, status: .resolved)
        #expect(h.list[0].state == .resolved)
    }

    @Test func aNewAlertWithinReopenWithinReopensAfterwardsOpensANewIncident() {
        var h = Harness(Self.rules)
        h.send(["alertname": "CPU", "host": "a"], at: 0)
        h.send(["alertname": "CPU", "host": "a"], at: 60, status: .resolved)
        h.send(["alertname": "CPU", "host": "a"], at: 60 + 9 * 60)
        #expect(h.list.count == 1)
        #expect(h.list[0].state == .open)
        #expect(h.timeline(of: 1, type: "reopened").count == 1)
        h.send(["alertname": "CPU", "host": "a"], at: 700, status: .resolved)
        h.send(["alertname": "Disk", "host": "a"], at: 700 + 11 * 60)
        #expect(h.list.count == 2)
        #expect(h.list[0].state == .resolved)
        #expect(h.list[1].state == .open)
    }

    @Test func moreReopensThanAllowedMarkFlappingAndHoldResolve() {
        var h = Harness(Self.rules)
        var t = 0.0
        h.send(["alertname": "CPU", "host": "a"], at: t)
        for _ in 0..<3 {
            t += 60
            h.send(["alertname": "CPU", "host": "a"], at: t, status: .resolved)
            t += 60
            h.send(["alertname": "CPU", "host": "a"], at: t)
        }
        #expect(h.list.count == 1)
        #expect(h.list[0].flapping)
        #expect(h.timeline(of: 1, type: "flapping").count == 1)
        t += 60
        h.send(["alertname": "CPU", "host": "a"], at: t, status: .resolved)
        #expect(h.list[0].state == .open, "resolve is held while flapping")
        #expect(h.timeline(of: 1, type: "resolve_held").count == 1)
        // Quiet for the flapping window after the last reopen: it resolves and is no longer flapping.
        h.advance(t + 3600 + 60)
        #expect(h.list[0].state == .resolved)
        #expect(!h.list[0].flapping)
    }
}

@Suite("thresholds")
struct ThresholdTests {
    static let rules = """
        rules:
          - name: brute
            match: ['identifier="sshd"']
            extract: { message: 'from (?<src_ip>\\S+)' }
            kind: security
            group_by: [host, src_ip]
            threshold: { count: 5, within: 2m }
          - name: spray
            match: ['identifier="login"']
            kind: security
            group_by: [host]
            threshold: { count_distinct: user, count: 3, within: 5m }
        """

    static func ssh(_ ip: String) -> (Labels, Labels) {
        (["identifier": "sshd", "host": "web1"], ["message": "Failed password for root from \(ip) port 22"])
    }

    @Test func eventsAreHeldUntilTheThresholdAndThenAllJoin() {
        var h = Harness(Self.rules)
        let (labels, annotations) = Self.ssh("10.0.0.9")
        for i in 0..<4 { h.send(labels, at: Double(i) * 10, annotations: annotations) }
        #expect(h.list.isEmpty)
        #expect(h.engine.stats.pending == 4)
        h.send(labels, at: 40, annotations: annotations)
        #expect(h.list.count == 1)
        #expect(h.list[0].events == 5)
        #expect(h.list[0].alerts == 1)
        #expect(h.list[0].labels["src_ip"] == "10.0.0.9")
        #expect(h.engine.stats.pending == 0)
        #expect(h.engine.stats.absorbed == 5)
        #expect(h.timeline(of: 1, type: "opened")[0].contains("threshold"))
        h.send(labels, at: 50, annotations: annotations)
        #expect(h.list[0].events == 6, "after opening, further events join directly")
    }

    @Test func eventsSpreadWiderThanTheWindowNeverOpen() {
        var h = Harness(Self.rules)
        let (labels, annotations) = Self.ssh("10.0.0.7")
        for i in 0..<10 { h.send(labels, at: Double(i) * 40, annotations: annotations) }
        #expect(h.list.isEmpty)
        h.advance(10 * 40 + 300)
        let s = h.engine.stats
        #expect(s.pending == 0)
        #expect(s.belowThreshold == 10)
        #expect(s.accounted == s.eventsIn)
        #expect(h.engine.workingSetSize.pendingEvents == 0, "expired windows leave the working state")
    }

    @Test func differentSourcesCountSeparately() {
        var h = Harness(Self.rules)
        for i in 0..<8 {
            let (labels, annotations) = Self.ssh(i % 2 == 0 ? "1.1.1.1" : "2.2.2.2")
            h.send(labels, at: Double(i), annotations: annotations)
        }
        #expect(h.list.isEmpty)
        #expect(h.engine.stats.pending == 8)
    }

    @Test func countDistinctCountsValuesNotEvents() {
        var h = Harness(Self.rules)
        for i in 0..<5 { h.send(["identifier": "login", "host": "h", "user": "bob"], at: Double(i)) }
        #expect(h.list.isEmpty)
        h.send(["identifier": "login", "host": "h", "user": "eve"], at: 10)
        h.send(["identifier": "login", "host": "h", "user": "mallory"], at: 20)
        #expect(h.list.count == 1)
        #expect(h.list[0].events == 7)
        #expect(h.list[0].alerts == 3)
    }

    /// The distinct values are counted over the window's events only (a value whose events all left the window no
    /// longer counts), the same after a restart, and a flood of one value counts once.
    @Test func countDistinctCountsOnlyTheWindowAndSurvivesARestart() throws {
        var h = Harness(Self.rules)
        func login(_ user: String, _ host: String = "h") -> Labels {
            ["identifier": "login", "host": host, "user": user]
        }
        h.send(login("bob"), at: 0)
        h.send(login("eve"), at: 100)
        h.send(login("mallory"), at: 350)  // bob's only event left the 5m window
        #expect(h.list.isEmpty)
        #expect(h.engine.stats.belowThreshold == 1)
        for var run in try liveAndRestarted(h, compile(Self.rules)) {
            run.send(login("trudy"), at: 360)
            #expect(run.list.count == 1)
            #expect(run.list.first?.events == 3)
        }
        for i in 0..<500 { h.send(login("bob", "h2"), at: 400 + Double(i) / 10) }
        h.send(login("eve", "h2"), at: 460)
        #expect(h.list.count == 0, "two distinct users on h2 (the first host's group is still held)")
        h.send(login("mallory", "h2"), at: 470)
        #expect(h.list.count == 1)
        #expect(h.list.first?.events == 502)
    }
}

@Suite("inhibition and classification")
struct InhibitionTests {
    static let rules = """
        rules:
          - name: host-down
            match: ['alertname="HostDown"']
            kind: outage
            impact: high
            group_by: [host]
          - name: services
            match: []
            kind: degradation
            impact: { count_distinct: host, medium: 2, high: 3 }
            group_by: [alertname]
        inhibit:
          - name: host-down-absorbs
            source: ['alertname="HostDown"']
            target: ['severity!="critical"']
            equal: [host]
        """

    @Test func aTargetJoinsTheSourceIncidentAsSuppressed() {
        var h = Harness(Self.rules)
        h.send(["alertname": "HostDown", "host": "db1", "severity": "critical"], at: 0)
        h.send(["alertname": "DiskSlow", "host": "db1", "severity": "warning"], at: 10)
        h.send(["alertname": "DiskSlow", "host": "db2", "severity": "warning"], at: 20)
        #expect(h.list.count == 2)
        #expect(h.list[0].rule == "host-down")
        #expect(h.list[0].alerts == 2)
        let suppressed = h.engine.alerts(of: 1).filter(\.suppressed)
        #expect(suppressed.count == 1)
        #expect(suppressed[0].labels["host"] == "db1")
        #expect(h.timeline(of: 1, type: "suppressed")[0].contains("host-down-absorbs"))
        #expect(h.list[1].rule == "services")
    }

    @Test func whenTheSourceResolvesTheSuppressedAlertsStandOnTheirOwn() {
        var h = Harness(Self.rules)
        h.send(["alertname": "HostDown", "host": "db1", "severity": "critical"], at: 0)
        h.send(["alertname": "DiskSlow", "host": "db1", "severity": "warning"], at: 10)
        h.send(["alertname": "DiskSlow", "host": "db1", "severity": "warning"], at: 20)
        #expect(h.list.count == 1)
        h.send(["alertname": "HostDown", "host": "db1", "severity": "critical"], at: 300, status: .resolved)
        #expect(h.list.count == 2)
        #expect(h.list[0].state == .resolved, "the host is back: its incident resolves")
        #expect(h.list[1].rule == "services")
        #expect(h.list[1].state == .open, "the disk is still slow: it now has its own incident")
        #expect(h.engine.alerts(of: 2).first?.events == 2, "the released alert keeps its history")
        #expect(h.timeline(of: 1, type: "released").count == 1)
        let s = h.engine.stats
        #expect(s.accounted == s.eventsIn)
        #expect(s.absorbed == 4, "releasing an alert does not count its events again")
    }

    @Test func criticalTargetsAndResolvedSourcesDoNotInhibit() {
        var h = Harness(Self.rules)
        h.send(["alertname": "HostDown", "host": "db1", "severity": "critical"], at: 0)
        h.send(["alertname": "DiskFull", "host": "db1", "severity": "critical"], at: 10)
        #expect(h.list.count == 2)
        h.send(["alertname": "HostDown", "host": "db1", "severity": "critical"], at: 20, status: .resolved)
        h.send(["alertname": "Slow", "host": "db1", "severity": "warning"], at: 30)
        #expect(h.list.count == 3)
    }

    /// An inhibit rule may match a source's annotations. A firing source whose annotations change is a source by
    /// its new ones, live as after a restart (which registers the sources from the stored alerts).
    @Test func aSourceWhoseAnnotationsChangeInhibitsByItsNewOnes() throws {
        let ruleSet = compile(
            """
            rules:
              - { name: r, match: [], group_by: [alertname, host] }
            inhibit:
              - name: unplanned-host-down
                source: ['alertname="HostDown"', 'summary=~".*unplanned.*"']
                target: ['alertname!="HostDown"']
                equal: [host]
            """)
        var h = Harness(ruleSet: ruleSet)
        h.send(["alertname": "HostDown", "host": "db1"], at: 0, annotations: ["summary": "planned reboot"])
        h.send(["alertname": "DiskSlow", "host": "db1"], at: 10)
        #expect(h.list.count == 2, "a planned reboot inhibits nothing")
        h.send(["alertname": "HostDown", "host": "db1"], at: 20, annotations: ["summary": "unplanned outage"])
        var both = try liveAndRestarted(h, ruleSet)
        for i in both.indices {
            both[i].send(["alertname": "Latency", "host": "db1"], at: 30)
            #expect(both[i].list.count == 2, "now a source: the new alert joins its incident, suppressed")
            #expect(both[i].engine.alerts(of: 1).filter(\.suppressed).map { $0.labels["alertname"] } == ["Latency"])
            // Planned again: a source no longer.
            both[i].send(["alertname": "HostDown", "host": "db1"], at: 40, annotations: ["summary": "planned reboot"])
            both[i].send(["alertname": "QueueFull", "host": "db1"], at: 50)
            #expect(both[i].list.count == 3)
            #expect(both[i].engine.alerts(of: 3).map { $0.labels["alertname"] } == ["QueueFull"])
        }
        #expect(both[0].list == both[1].list)
    }

    /// New annotations change a source only for the inhibits whose source matchers read them: one that matches by
    /// labels alone keeps the source through every change, one that matches an annotation follows it, and both agree
    /// with the sources a restart rebuilds from the stored alerts.
    @Test func newAnnotationsChangeOnlyTheInhibitsThatReadThem() throws {
        let ruleSet = compile(
            """
            rules:
              - { name: r, match: [], group_by: [alertname, host] }
            inhibit:
              - name: host-down
                source: ['alertname="HostDown"']
                target: ['alertname="DiskSlow"']
                equal: [host]
              - name: unplanned
                source: ['alertname="HostDown"', 'summary=~".*unplanned.*"']
                target: ['alertname="Latency"']
                equal: [host]
            """)
        var h = Harness(ruleSet: ruleSet)
        h.send(["alertname": "HostDown", "host": "db1"], at: 0, annotations: ["summary": "unplanned outage"])
        // Changes that keep both verdicts, then one that drops only the second inhibit's.
        h.send(["alertname": "HostDown", "host": "db1"], at: 1, annotations: ["summary": "unplanned, 2 min"])
        h.send(["alertname": "HostDown", "host": "db1"], at: 2, annotations: ["summary": "unplanned, 3 min"])
        h.send(["alertname": "HostDown", "host": "db1"], at: 3, annotations: ["summary": "planned reboot"])
        var both = try liveAndRestarted(h, ruleSet)
        for i in both.indices {
            both[i].send(["alertname": "DiskSlow", "host": "db1"], at: 10)
            #expect(both[i].list.count == 1, "the labels-only inhibit still holds HostDown as its source")
            #expect(both[i].engine.alerts(of: 1).filter(\.suppressed).map { $0.labels["alertname"] } == ["DiskSlow"])
            both[i].send(["alertname": "Latency", "host": "db1"], at: 20)
            #expect(both[i].list.count == 2, "planned: no longer a source of the annotation inhibit")
            // Unplanned again: the annotation inhibit has it back, and the other still has it.
            both[i].send(["alertname": "HostDown", "host": "db1"], at: 30, annotations: ["summary": "unplanned again"])
            both[i].send(["alertname": "Latency", "host": "db2"], at: 35)
            both[i].send(["alertname": "Latency", "host": "db1", "path": "/b"], at: 40)
            both[i].send(["alertname": "DiskSlow", "host": "db1", "disk": "sdb"], at: 50)
            #expect(
                both[i].engine.alerts(of: 1).filter(\.suppressed).compactMap { $0.labels["alertname"] }.sorted()
                    == ["DiskSlow", "DiskSlow", "Latency"])
            #expect(both[i].list.count == 3, "Latency on db2 has no source")
        }
        #expect(both[0].list == both[1].list)
    }

    /// A suppressed alert is no inhibit source: not when it arrives, and not after a restart or a reload either
    /// (both rebuild the sources from the alerts).
    @Test func aSuppressedAlertIsNoSourceAfterARestartOrReloadEither() throws {
        let ruleSet = compile(
            """
            rules:
              - { name: r, match: [], group_by: [alertname, host] }
            inhibit:
              - { name: host, source: ['alertname="HostDown"'], target: ['alertname="ServiceDown"'], equal: [host] }
              - { name: service, source: ['alertname="ServiceDown"'], target: ['alertname="Latency"'], equal: [host] }
            """)
        var live = Harness(ruleSet: ruleSet)
        live.send(["alertname": "HostDown", "host": "db1"], at: 0)
        live.send(["alertname": "ServiceDown", "host": "db1"], at: 10)
        #expect(live.list.count == 1 && live.engine.alerts(of: 1).filter(\.suppressed).count == 1)
        var restarted = live
        restarted.engine = CorrelationEngine(
            restoring: try EngineState.decode(try live.engine.exportState().encoded()), ruleSet: ruleSet)
        var reloaded = live
        reloaded.engine.reload(ruleSet)
        for var x in [live, restarted, reloaded] {
            x.send(["alertname": "Latency", "host": "db1"], at: 20)
            #expect(x.list.count == 2, "the suppressed ServiceDown inhibits nothing")
            #expect(x.engine.alerts(of: 2).map { $0.labels["alertname"] } == ["Latency"])
        }
    }

    @Test func countDistinctRaisesImpactAndPriorityAsTheIncidentGrows() {
        var h = Harness(Self.rules)
        h.send(["alertname": "Latency", "host": "a", "severity": "warning"], at: 0)
        #expect(h.list[0].impact == .low)
        #expect(h.list[0].priority == .p4)
        h.send(["alertname": "Latency", "host": "b", "severity": "warning"], at: 10)
        #expect(h.list[0].impact == .medium)
        #expect(h.list[0].priority == .p3)
        h.send(["alertname": "Latency", "host": "c", "severity": "critical"], at: 20)
        #expect(h.list[0].impact == .high)
        #expect(h.list[0].urgency == .high)
        #expect(h.list[0].priority == .p1)
        let changes = h.timeline(of: 1, type: "prioritised")
        #expect(changes.count == 3)
        #expect(changes[2].contains("P3 → P1"))
    }

    @Test(arguments: [
        ("critical", Priority.p2), ("warning", .p3), ("error", .p3), ("info", .p4), ("", .p4),
    ])
    func urgencyComesFromSeverity(_ severity: String, _ priority: Priority) {
        var h = Harness(
            """
            rules:
              - { name: r, match: [], impact: medium }
            """)
        h.send(severity.isEmpty ? ["alertname": "X"] : ["alertname": "X", "severity": severity], at: 0)
        #expect(h.list[0].priority == priority)
    }

    @Test func aCustomPriorityMatrixIsUsed() {
        var h = Harness(
            """
            rules:
              - { name: r, match: [], impact: low, urgency: low }
            priority_matrix:
              high:   { high: P1, medium: P1, low: P2 }
              medium: { high: P2, medium: P2, low: P3 }
              low:    { high: P3, medium: P3, low: P3 }
            """)
        h.send(["alertname": "X"], at: 0)
        #expect(h.list[0].priority == .p3)
    }
}
