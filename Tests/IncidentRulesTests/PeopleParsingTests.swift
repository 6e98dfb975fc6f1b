import Foundation
import IncidentCore
import Testing

@testable import IncidentRules

/// `users:`, `schedules:` and `maintenance:` in rule files (SPEC §11, §12): what they compile to and every
/// mistake they can hold, each reported at its FILE:LINE:COL.
@Suite struct PeopleParsingTests {
    let utc = People.utc

    static let example = """
        users:
          - { name: alice, notify: [alice-phone], timezone: Europe/Berlin }
          - { name: bob, notify: [bob-phone] }
          - name: carol
            notify: [carol-phone, oncall]
          - { name: dave, notify: alice-phone }
        schedules:
          - name: primary
            timezone: Europe/Berlin
            rotation: { users: [alice, bob, carol], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 }
            overrides: [{ user: dave, from: "2026-12-24 00:00", to: "2026-12-27 00:00" }]
        maintenance:
          - { name: db-patching, match: ['host=~"db.*"'], every: "Sun 02:00-04:00", timezone: Europe/Berlin }
          - { name: nightly, match: ['job="backup"', 'env!="prod"'], every: "day 22:00-02:00", timezone: UTC }
        escalation_policies:
          - name: default
            steps:
              - { after: 0s, notify: [schedule:primary] }
              - { after: 15m, notify: [user:bob, oncall] }
        """

    @Test func theSpecExampleCompiles() throws {
        let result = People.load(Self.example)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let set = try #require(result.ruleSet)
        #expect(set.users.keys.sorted() == ["alice", "bob", "carol", "dave"])
        #expect(set.users["alice"]?.notify == ["alice-phone"])
        #expect(set.users["alice"]?.timezone == "Europe/Berlin")
        #expect(set.users["carol"]?.notify == ["carol-phone", "oncall"])
        #expect(set.users["dave"]?.notify == ["alice-phone"])
        #expect(set.users["bob"]?.location == SourceLocation(file: "people.yaml", line: 3, column: 13))

        let primary = try #require(set.schedules["primary"])
        #expect(primary.timezone == "Europe/Berlin")
        let rotation = try #require(primary.rotation)
        #expect(rotation.users == ["alice", "bob", "carol"])
        #expect(rotation.shift == .seconds(7 * 86_400))
        #expect(rotation.handoffDay == .monday)
        #expect(rotation.handoffTime == TimeOfDay(hour: 9, minute: 0))
        #expect(rotation.start == LocalDate(year: 2026, month: 11, day: 30))
        // Override times are local to the schedule: midnight in Berlin is 23:00 UTC the day before.
        #expect(
            primary.overrides == [
                .init(user: "dave", start: utc("2026-12-23T23:00:00Z"), end: utc("2026-12-26T23:00:00Z"))
            ])
        #expect(primary.shift(at: utc("2026-12-25T12:00:00Z"))?.user == "dave")

        #expect(set.maintenance.map(\.name) == ["db-patching", "nightly"])
        let patching = set.maintenance[0]
        #expect(patching.every?.description == "Sun 02:00-04:00")
        #expect(patching.selects(Labels(["host": "db-3"])))
        #expect(!patching.selects(Labels(["host": "web-1"])))
        #expect(set.maintenance[1].matchers.count == 2)
        #expect(set.maintenance[1].every?.crossesMidnight == true)
    }

    @Test func notifierNamesAreThePlainStepTargetsAndTheUsersNotifiers() throws {
        let set = try #require(People.load(Self.example).ruleSet)
        #expect(set.notifierNames == ["oncall", "alice-phone", "bob-phone", "carol-phone"])
    }

    @Test func recipientsResolveUsersAndSchedulesAtTheTimeGiven() throws {
        let set = try #require(People.load(Self.example).ruleSet)
        #expect(set.recipients(of: "oncall", at: utc("2026-12-01T00:00:00Z")) == [Recipient(notifier: "oncall")])
        #expect(
            set.recipients(of: "user:carol", at: utc("2026-12-01T00:00:00Z"))
                == [Recipient(notifier: "carol-phone", user: "carol"), Recipient(notifier: "oncall", user: "carol")])
        #expect(
            set.recipients(of: "schedule:primary", at: utc("2026-12-01T00:00:00Z"))
                == [Recipient(notifier: "alice-phone", user: "alice")])
        #expect(
            set.recipients(of: "schedule:primary", at: utc("2026-12-08T00:00:00Z"))
                == [Recipient(notifier: "bob-phone", user: "bob")])
        #expect(
            set.recipients(of: "schedule:primary", at: utc("2026-12-24T00:00:00Z"))
                == [Recipient(notifier: "alice-phone", user: "dave")])
        // Before the rotation starts nobody is on call.
        #expect(set.recipients(of: "schedule:primary", at: utc("2026-11-01T00:00:00Z")).isEmpty)
        #expect(set.recipients(of: "schedule:nope", at: utc("2026-12-01T00:00:00Z")).isEmpty)
        #expect(set.recipients(of: "user:nope", at: utc("2026-12-01T00:00:00Z")).isEmpty)
    }

    @Test func stepTargetsParse() {
        #expect(StepTarget("oncall") == .notifier("oncall"))
        #expect(StepTarget("user:bob") == .user("bob"))
        #expect(StepTarget("schedule:primary") == .schedule("primary"))
        #expect(StepTarget("schedule:primary").description == "schedule:primary")
    }

    @Test func namesAreUniqueAcrossFilesAndADuplicateNamesBothPlaces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incidentd-people-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = """
            users: [{ name: alice, notify: [oncall] }]
            schedules: [{ name: s, timezone: UTC, rotation: { users: [alice], shift: 1d, handoff: "09:00", start: 2026-12-01 } }]
            maintenance: [{ name: m, match: ['a="b"'], every: "day 01:00-02:00", timezone: UTC }]
            """
        let second = """
            users:
              - { name: alice, notify: [oncall] }
            schedules:
              - { name: s, timezone: UTC, rotation: { users: [alice], shift: 1d, handoff: "09:00", start: 2026-12-01 } }
            maintenance:
              - { name: m, match: ['a="b"'], every: "day 01:00-02:00", timezone: UTC }
            """
        try first.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try second.write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let result = RuleSetLoader(knownNotifiers: ["oncall"]).load(paths: [directory.path])
        let a = directory.appendingPathComponent("a.yaml").path
        let b = directory.appendingPathComponent("b.yaml").path
        #expect(result.ruleSet == nil)
        func at(_ needle: String, _ text: String, line: Int) -> String {
            "\(line):\(People.position(of: needle, in: text, fromLine: line).column)"
        }
        #expect(
            result.diagnostics.map(\.description) == [
                "\(b):\(at("alice", second, line: 2)): error: user 'alice' is already defined at \(a):\(at("alice", first, line: 1)); user names must be unique across all files. [duplicate-user]",
                "\(b):\(at("s,", second, line: 4)): error: schedule 's' is already defined at \(a):\(at("s,", first, line: 2)); schedule names must be unique across all files. [duplicate-schedule]",
                "\(b):\(at("m,", second, line: 6)): error: maintenance window 'm' is already defined at \(a):\(at("m,", first, line: 3)); maintenance window names must be unique across all files. [duplicate-maintenance]",
            ])
    }

    @Test func overlappingOverridesAreAWarningThatSaysWhoWins() throws {
        let text = """
            users: [{ name: a, notify: [oncall] }, { name: x, notify: [oncall] }, { name: y, notify: [oncall] }]
            schedules:
              - name: s
                timezone: UTC
                rotation: { users: [a], shift: 1d, handoff: "09:00", start: 2026-12-01 }
                overrides:
                  - { user: x, from: "2026-12-01 10:00", to: "2026-12-01 14:00" }
                  - { user: y, from: "2026-12-01 12:00", to: "2026-12-01 16:00" }
                  - { user: x, from: "2026-12-01 16:00", to: "2026-12-01 18:00" }
            """
        let result = People.load(text)
        #expect(result.ruleSet != nil)
        try #require(result.diagnostics.count == 1, "\(result.diagnostics)")
        let d = result.diagnostics[0]
        #expect(d.severity == .warning)
        #expect(d.code == "overlapping-overrides")
        #expect((d.line, d.column) == (8, 9))
        #expect(d.message.contains("people.yaml:7:9"))
        #expect(d.message.contains("the one listed later wins where they overlap, so y is on call there"))
    }

    // MARK: mistakes

    struct Mistake: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var code: String
        /// The diagnostic points at the first occurrence of this text (at or after line `fromLine`).
        var at: String
        var fromLine: Int = 1
        var hint: String
        var testDescription: String { name }
    }

    static let schedulePrefix = """
        users: [{ name: alice, notify: [oncall] }, { name: bob, notify: [oncall] }]

        """

    static let mistakes: [Mistake] = [
        Mistake(
            name: "unknown schedule time zone",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: Europe/Berln, rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 } }]
                """,
            code: "unknown-timezone", at: "Europe/Berln", hint: "Did you mean 'Europe/Berlin'?"),
        Mistake(
            name: "unknown time zone of a schedule a step names",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: Berlin, rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 } }]
                escalation_policies: [{ name: p, steps: [{ after: 0s, notify: [schedule:s] }] }]
                """,
            code: "unknown-timezone", at: "Berlin", hint: "is not a known time zone"),
        Mistake(
            name: "unknown maintenance time zone",
            text: """
                maintenance: [{ name: m, match: ['a="b"'], every: "Sun 02:00-04:00", timezone: Mars/Olympus }]
                """,
            code: "unknown-timezone", at: "Mars/Olympus", hint: "use an IANA name such as Europe/Berlin"),
        Mistake(
            name: "unknown user time zone",
            text: """
                users: [{ name: alice, notify: [oncall], timezone: CEST }]
                """,
            code: "unknown-timezone", at: "CEST", hint: "is not a known time zone"),
        Mistake(
            name: "schedule with no users",
            text: """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 } }]
                """,
            code: "no-users", at: "[]", hint: "list who takes turns"),
        Mistake(
            name: "rotation naming an unknown user",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [alice, bobb], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 } }]
                """,
            code: "undefined-user", at: "bobb", hint: "Did you mean 'bob'?"),
        Mistake(
            name: "override naming an unknown user",
            text: schedulePrefix + """
                schedules:
                  - name: s
                    timezone: UTC
                    rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 }
                    overrides: [{ user: dave, from: "2026-12-24 00:00", to: "2026-12-27 00:00" }]
                """,
            code: "undefined-user", at: "dave", hint: "an override of schedule 's' names user 'dave'"),
        Mistake(
            name: "override ending before it starts",
            text: schedulePrefix + """
                schedules:
                  - name: s
                    timezone: UTC
                    rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 }
                    overrides: [{ user: bob, from: "2026-12-24 00:00", to: "2026-12-24 00:00" }]
                """,
            code: "bad-range", at: "\"2026-12-24 00:00\" }", hint: "'to' is not after its 'from'"),
        Mistake(
            name: "override with a bad time",
            text: schedulePrefix + """
                schedules:
                  - name: s
                    timezone: UTC
                    rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-11-30 }
                    overrides: [{ user: bob, from: "2026-12-24", to: "2026-12-27 00:00" }]
                """,
            code: "bad-date", at: "\"2026-12-24\"", hint: "write YYYY-MM-DD HH:MM"),
        Mistake(
            name: "bad handoff weekday",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [alice], shift: 1w, handoff: "Mo 09:00", start: 2026-11-30 } }]
                """,
            code: "bad-handoff", at: "\"Mo 09:00\"", hint: "'Mo' is not a weekday"),
        Mistake(
            name: "bad rotation start",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [alice], shift: 1w, handoff: "Mon 09:00", start: 2026-02-30 } }]
                """,
            code: "bad-date", at: "2026-02-30", hint: "write the local date of the first shift"),
        Mistake(
            name: "zero shift",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [alice], shift: 0s, handoff: "Mon 09:00", start: 2026-11-30 } }]
                """,
            code: "out-of-range", at: "0s", hint: "must be longer than 0s"),
        Mistake(
            name: "shift under a minute",
            text: schedulePrefix + """
                schedules: [{ name: s, timezone: UTC, rotation: { users: [alice], shift: 30s, handoff: "09:00", start: 2026-11-30 } }]
                """,
            code: "out-of-range", at: "30s", hint: "at least 1m"),
        Mistake(
            name: "bad every weekday",
            text: """
                maintenance: [{ name: m, match: ['a="b"'], every: "Sn 02:00-04:00", timezone: UTC }]
                """,
            code: "bad-every", at: "\"Sn 02:00-04:00\"",
            hint: "'Sn' is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun or day. Did you mean 'Sun'?"),
        Mistake(
            name: "bad every time",
            text: """
                maintenance: [{ name: m, match: ['a="b"'], every: "Sun 02:00-4:60", timezone: UTC }]
                """,
            code: "bad-every", at: "\"Sun 02:00-4:60\"", hint: "'4:60' is not a time of day"),
        Mistake(
            name: "zero-length every",
            text: """
                maintenance: [{ name: m, match: ['a="b"'], every: "day 02:00-02:00", timezone: UTC }]
                """,
            code: "bad-every", at: "\"day 02:00-02:00\"", hint: "is empty"),
        Mistake(
            name: "empty maintenance match",
            text: """
                maintenance: [{ name: m, match: [], every: "Sun 02:00-04:00", timezone: UTC }]
                """,
            code: "empty-matchers", at: "[]", hint: "it would silence every alert"),
        Mistake(
            name: "bad maintenance regex",
            text: """
                maintenance: [{ name: m, match: ['host=~"db(.*"'], every: "Sun 02:00-04:00", timezone: UTC }]
                """,
            code: "bad-regex", at: "=~\"db(", hint: "matcher 'host=~\"db(.*\"'"),
        Mistake(
            name: "user with no notifiers",
            text: """
                users: [{ name: alice, notify: [] }]
                """,
            code: "no-notifiers", at: "[]", hint: "user 'alice' has no notifiers"),
        Mistake(
            name: "user without notify",
            text: """
                users:
                  - name: alice
                """,
            code: "no-notifiers", at: "name: alice", hint: "user 'alice' has no 'notify'"),
        Mistake(
            name: "user notifier the config lacks",
            text: """
                users: [{ name: alice, notify: [alice-phon] }]
                """,
            code: "undefined-notifier", at: "[alice-phon]", hint: "Did you mean 'alice-phone'?"),
        Mistake(
            name: "step naming an unknown user",
            text: schedulePrefix + """
                escalation_policies: [{ name: p, steps: [{ after: 0s, notify: [oncall, user:alcie] }] }]
                """,
            code: "undefined-user", at: "[oncall", fromLine: 2, hint: "Did you mean 'alice'?"),
        Mistake(
            name: "step naming an unknown schedule",
            text: """
                escalation_policies: [{ name: p, steps: [{ after: 0s, notify: [schedule:primary] }] }]
                """,
            code: "undefined-schedule", at: "[schedule", hint: "no rule file's schedules: defines 'primary'"),
        Mistake(
            name: "maintenance without timezone",
            text: """
                maintenance:
                  - { name: m, match: ['a="b"'], every: "Sun 02:00-04:00" }
                """,
            code: "missing-key", at: "{ name: m", hint: "has no 'timezone'"),
    ]

    @Test(arguments: mistakes)
    func eachMistakeIsOneErrorAtItsPlace(_ mistake: Mistake) throws {
        let result = People.load(mistake.text)
        try #require(
            result.diagnostics.count == 1,
            "one mistake, one diagnostic; got:\n\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let d = result.diagnostics[0]
        let expected = People.position(of: mistake.at, in: mistake.text, fromLine: mistake.fromLine)
        #expect(d.severity == .error)
        #expect(d.code == mistake.code, "\(d)")
        #expect(d.file == "people.yaml")
        #expect(d.line == expected.line, "\(d)")
        #expect(d.column == expected.column, "\(d)")
        #expect(d.message.contains(mistake.hint), "\(d)")
        #expect(result.ruleSet == nil)
    }

    @Test func withoutAConfigStepTargetsAreStillCheckedButNotifiersAreNot() {
        let text = """
            users: [{ name: alice, notify: [whatever] }]
            escalation_policies: [{ name: p, steps: [{ notify: [user:alice, schedule:none, anything] }] }]
            """
        let result = People.load(text, notifiers: nil)
        #expect(result.diagnostics.map(\.code) == ["undefined-schedule"])
    }
}
