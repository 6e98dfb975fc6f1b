import IncidentClient
import IncidentCore
import Testing

/// incidentctl's arguments turned into requests, and the usage errors for bad ones.
@Suite struct ArgumentTests {
    @Test(
        arguments: [
            (nil, nil, nil, "/api/v1/incidents"),
            ("all", nil, nil, "/api/v1/incidents?state=open,acknowledged,resolved,closed"),
            (
                "resolved,closed,resolved", "security", "p2",
                "/api/v1/incidents?state=resolved,closed&kind=security&priority=P2"
            ),
            (nil, "user_issue", nil, "/api/v1/incidents?kind=user_issue"),
        ] as [(String?, String?, String?, String)])
    func listFlagsBecomeTheQuery(state: String?, kind: String?, priority: String?, path: String) throws {
        #expect(try IncidentFilter(state: state, kind: kind, priority: priority).path == path)
    }

    @Test(
        arguments: [
            ("pending", nil, nil, "--state 'pending' is not one of open, acknowledged, resolved, closed, all"),
            (nil, "outages", nil, "--kind 'outages' is not one of outage, degradation, security, user_issue"),
            (nil, nil, "P0", "--priority 'P0' is not one of P1, P2, P3, P4, P5"),
        ] as [(String?, String?, String?, String)])
    func badListFlagsAreUsageErrors(state: String?, kind: String?, priority: String?, message: String) {
        #expect(throws: UsageError(message)) { try IncidentFilter(state: state, kind: kind, priority: priority) }
    }

    @Test func labelsAreNameEqualsValue() throws {
        #expect(try KeyValueArgument.parse("a=b=c", option: "--label") == ("a", "b=c"))
        #expect(try KeyValueArgument.parse("empty=", option: "--label") == ("empty", ""))
        #expect(try KeyValueArgument.parseAll(["a=1", "b=2", "a=3"], option: "--label") == ["a": "3", "b": "2"])
        #expect(throws: UsageError("--label 'novalue' is not NAME=VALUE")) {
            try KeyValueArgument.parse("novalue", option: "--label")
        }
        #expect(throws: UsageError("--annotation '=x' is not NAME=VALUE")) {
            try KeyValueArgument.parse("=x", option: "--annotation")
        }
    }

    @Test func openFlagsBecomeAReportedIncident() throws {
        let reported = try ReportedIncident(
            kind: "security", title: "phishing mail", impact: "high", urgency: nil, labels: ["team": "sec"], by: "ana")
        #expect(
            reported
                == ReportedIncident(
                    kind: .security, title: "phishing mail", impact: .high, urgency: .medium, labels: ["team": "sec"],
                    by: "ana"))
    }

    @Test(
        arguments: [
            ("fire", "x", nil, "--kind 'fire' is not one of outage, degradation, security, user_issue"),
            ("outage", " ", nil, "--title is empty: say what is wrong"),
            ("outage", "x", "urgent", "--impact 'urgent' is not one of high, medium, low"),
        ] as [(String, String, String?, String)])
    func badOpenFlagsAreUsageErrors(kind: String, title: String, impact: String?, message: String) {
        #expect(throws: UsageError(message)) {
            try ReportedIncident(kind: kind, title: title, impact: impact, urgency: nil, labels: [:], by: "ana")
        }
    }

    @Test(arguments: [
        (["SUDO_USER": "ana", "USER": "root"], "ana"),
        (["USER": "bo"], "bo"),
        (["SUDO_USER": "", "LOGNAME": "cy"], "cy"),
    ])
    func byDefaultsToTheCallingUser(environment: [String: String], name: String) {
        #expect(CallingUser.name(environment: environment) == name)
    }

    @Test func withoutEnvironmentTheUserComesFromThePasswordDatabase() {
        #expect(!CallingUser.name(environment: [:]).isEmpty)
    }
}
