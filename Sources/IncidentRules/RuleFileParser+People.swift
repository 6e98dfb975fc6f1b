import Foundation
import IncidentCore
import Yams

/// `users:`, `schedules:` and `maintenance:` (SPEC §11, §12).
extension RuleFileParser {
    func person(_ node: Node, file: inout RuleFile) -> Person? {
        guard let pairs = reader.mapping(node, allowed: ["name", "notify", "timezone"], what: "a user") else {
            return nil
        }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let (name, nameNode) = requiredName(values, in: node, what: "user") else { return nil }
        var notify: [String] = []
        if let notifyNode = values["notify"] {
            notify = reader.strings(notifyNode, what: "notify")?.map(\.0) ?? []
            file.userNotifyNodes[name] = reader.location(notifyNode)
            if notify.isEmpty, case .sequence = notifyNode {
                sink.error(
                    "no-notifiers", at: reader.location(notifyNode),
                    "user '\(name)' has no notifiers; list the config's notifiers that reach them, e.g. notify: [\(name)-phone]."
                )
            }
            for target in notify where StepTarget(target) != .notifier(target) {
                sink.error(
                    "bad-notifier", at: reader.location(notifyNode),
                    "user '\(name)' notifies '\(target)'; a user's notify lists notifier names from the config, not users or schedules."
                )
            }
        } else {
            sink.error(
                "no-notifiers", at: reader.location(node),
                "user '\(name)' has no 'notify'; list the config's notifiers that reach them, e.g. notify: [\(name)-phone]."
            )
        }
        let timezone = values["timezone"].flatMap { self.timezone($0, what: "timezone of user '\(name)'") }
        return Person(name: name, notify: notify, timezone: timezone, location: reader.location(nameNode))
    }

    func schedule(_ node: Node, file: inout RuleFile) -> OnCallSchedule? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["name", "timezone", "rotation", "overrides"], what: "a schedule")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let (name, nameNode) = requiredName(values, in: node, what: "schedule") else { return nil }
        guard let zoneNode = values["timezone"] else {
            sink.error(
                "missing-key", at: reader.location(node),
                "schedule '\(name)' has no 'timezone'; handoffs are local times, so name the zone, e.g. timezone: Europe/Berlin."
            )
            return nil
        }
        let zoneName = timezone(zoneNode, what: "timezone of schedule '\(name)'")
        let zone = zoneName.flatMap(TimeZone.named) ?? .utc
        var rotation: OnCallSchedule.Rotation?
        if let rotationNode = values["rotation"] {
            rotation = self.rotation(rotationNode, schedule: name, file: &file)
        } else {
            sink.error(
                "missing-key", at: reader.location(node),
                "schedule '\(name)' has no 'rotation', e.g. rotation: { users: [alice, bob], shift: 1w, handoff: \"Mon 09:00\", start: 2026-11-30 }."
            )
        }
        var overrides: [OnCallSchedule.Override] = []
        var overrideNodes: [Node] = []
        if let overridesNode = values["overrides"], let items = reader.list(overridesNode, what: "overrides") {
            for item in items {
                guard let override = self.override(item, schedule: name, zone: zone, file: &file) else { continue }
                overrides.append(override)
                overrideNodes.append(item)
            }
        }
        for (j, later) in overrides.enumerated() {
            for (i, earlier) in overrides[..<j].enumerated()
            where earlier.start < later.end && later.start < earlier.end {
                sink.warning(
                    "overlapping-overrides", at: reader.location(overrideNodes[j]),
                    "this override (\(later.user)) overlaps the one at \(reader.location(overrideNodes[i])) (\(earlier.user)) in schedule '\(name)'; the one listed later wins where they overlap, so \(later.user) is on call there."
                )
            }
        }
        // Kept even when its zone is unknown (that error is reported and withholds the rule set), so steps
        // naming the schedule do not get a second, misleading error.
        return OnCallSchedule(
            name: name, timezone: zoneName ?? reader.string(zoneNode, what: "timezone") ?? "UTC", rotation: rotation,
            overrides: overrides,
            location: reader.location(nameNode))
    }

    func rotation(_ node: Node, schedule: String, file: inout RuleFile) -> OnCallSchedule.Rotation? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["users", "shift", "handoff", "start"], what: "rotation of schedule '\(schedule)'")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for key in ["users", "shift", "handoff", "start"] where values[key] == nil {
            sink.error(
                "missing-key", at: reader.location(node),
                "the rotation of schedule '\(schedule)' has no '\(key)'; write users: [...], shift: 1w, handoff: \"Mon 09:00\" and start: 2026-11-30."
            )
        }
        var users: [String] = []
        if let usersNode = values["users"], let names = reader.strings(usersNode, what: "rotation users") {
            users = names.map(\.0)
            for (user, at) in names {
                file.userReferences.append((user, reader.location(at), "the rotation of schedule '\(schedule)'"))
            }
            if users.isEmpty {
                sink.error(
                    "no-users", at: reader.location(usersNode),
                    "schedule '\(schedule)' has no users in its rotation; list who takes turns, e.g. users: [alice, bob]."
                )
            }
        }
        var shift = values["shift"].flatMap { positiveDuration($0, what: "rotation shift") }
        if let length = shift, length < .seconds(60), let shiftNode = values["shift"] {
            sink.error(
                "out-of-range", at: reader.location(shiftNode),
                "rotation shift must be at least 1m; shifts are usually 12h, 1d or 1w.")
            shift = nil
        }
        let handoff = values["handoff"].flatMap { self.handoff($0) }
        var start: LocalDate?
        if let startNode = values["start"], let text = reader.string(startNode, what: "rotation start") {
            start = LocalDate(text: text)
            if start == nil {
                sink.error(
                    "bad-date", at: reader.location(startNode),
                    "'\(text)' is not a date; write the local date of the first shift as YYYY-MM-DD, e.g. 2026-11-30.")
            }
        }
        guard !users.isEmpty, let shift, let handoff, let start else { return nil }
        return OnCallSchedule.Rotation(
            users: users, shift: shift, handoffDay: handoff.0, handoffTime: handoff.1, start: start)
    }

    /// `"Mon 09:00"` or `"09:00"`.
    func handoff(_ node: Node) -> (Weekday?, TimeOfDay)? {
        guard let text = reader.string(node, what: "handoff") else { return nil }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let day = words.count == 2 ? Weekday(text: words[0]) : nil
        guard (words.count == 1 || (words.count == 2 && day != nil)), let time = TimeOfDay(text: words.last!) else {
            var hint = ""
            if words.count == 2, day == nil {
                let near = Weekday.nearest(words[0])
                hint = " '\(words[0])' is not a weekday (Mon ... Sun)." + (near.map { " Did you mean '\($0)'?" } ?? "")
            }
            sink.error(
                "bad-handoff", at: reader.location(node),
                "'\(text)' is not a handoff time; write a local time, with a weekday for shifts longer than a day, e.g. \"Mon 09:00\" or \"09:00\".\(hint)"
            )
            return nil
        }
        return (day, time)
    }

    func override(_ node: Node, schedule: String, zone: TimeZone, file: inout RuleFile) -> OnCallSchedule.Override? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["user", "from", "to"], what: "an override of schedule '\(schedule)'")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let userNode = values["user"], let fromNode = values["from"], let toNode = values["to"] else {
            sink.error(
                "missing-key", at: reader.location(node),
                "an override needs 'user', 'from' and 'to', e.g. { user: dave, from: \"2026-12-24 00:00\", to: \"2026-12-27 00:00\" }."
            )
            return nil
        }
        guard let user = reader.string(userNode, what: "override user") else { return nil }
        file.userReferences.append((user, reader.location(userNode), "an override of schedule '\(schedule)'"))
        guard let from = localDateTime(fromNode, what: "override 'from'", zone: zone),
            let to = localDateTime(toNode, what: "override 'to'", zone: zone)
        else { return nil }
        guard to > from else {
            sink.error(
                "bad-range", at: reader.location(toNode),
                "this override's 'to' is not after its 'from'; an override covers from 'from' up to 'to'.")
            return nil
        }
        return OnCallSchedule.Override(user: user, start: from, end: to)
    }

    /// `"2026-12-24 00:00"` (or with `T`), local to `zone`.
    func localDateTime(_ node: Node, what: String, zone: TimeZone) -> Timestamp? {
        guard let text = reader.string(node, what: what) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard parts.count == 2, let date = LocalDate(text: parts[0]), let time = TimeOfDay(text: parts[1]) else {
            sink.error(
                "bad-date", at: reader.location(node),
                "\(what) '\(text)' is not a local date and time; write YYYY-MM-DD HH:MM in the schedule's time zone, e.g. \"2026-12-24 00:00\"."
            )
            return nil
        }
        return zone.instant(day: date.dayNumber, time: time)
    }

    func maintenanceWindow(_ node: Node) -> MaintenanceWindow? {
        guard
            let pairs = reader.mapping(
                node, allowed: ["name", "match", "every", "timezone"], what: "a maintenance window")
        else { return nil }
        let values = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let (name, nameNode) = requiredName(values, in: node, what: "maintenance window") else { return nil }
        var matchers: [Matcher]?
        if let matchNode = values["match"] {
            let errorsBefore = sink.errorCount
            matchers = self.matchers(matchNode, what: "match of maintenance window '\(name)'")
            if let found = matchers, found.isEmpty, sink.errorCount == errorsBefore {
                sink.error(
                    "empty-matchers", at: reader.location(matchNode),
                    "maintenance window '\(name)' has no matchers; it would silence every alert. Name what it covers, e.g. match: ['host=~\"db.*\"']."
                )
                matchers = nil
            }
            if sink.errorCount > errorsBefore { matchers = nil }
        } else {
            sink.error(
                "missing-key", at: reader.location(node),
                "maintenance window '\(name)' has no 'match'; name what it covers, e.g. match: ['host=~\"db.*\"'].")
        }
        var every: Recurrence?
        if let everyNode = values["every"] {
            if let text = reader.string(everyNode, what: "every") {
                do {
                    every = try Recurrence(parsing: text)
                } catch {
                    sink.error("bad-every", at: reader.location(everyNode), "every: \(error.message)")
                }
            }
        } else {
            sink.error(
                "missing-key", at: reader.location(node),
                "maintenance window '\(name)' has no 'every', e.g. every: \"Sun 02:00-04:00\" or \"day 22:00-02:00\".")
        }
        var zoneName: String?
        if let zoneNode = values["timezone"] {
            zoneName = timezone(zoneNode, what: "timezone of maintenance window '\(name)'")
        } else {
            sink.error(
                "missing-key", at: reader.location(node),
                "maintenance window '\(name)' has no 'timezone'; its times are local, so name the zone, e.g. timezone: Europe/Berlin."
            )
        }
        guard let matchers, let every, let zoneName else { return nil }
        return MaintenanceWindow(
            name: name, matchers: matchers, every: every, timezone: zoneName, location: reader.location(nameNode))
    }

    /// An IANA time zone name the system knows; an unknown one is reported with the nearest known name.
    func timezone(_ node: Node, what: String) -> String? {
        guard let text = reader.string(node, what: what) else { return nil }
        guard TimeZone.named(text) == nil else { return text }
        let hint = nearest(text, in: TimeZone.knownNames.sorted()).map { " Did you mean '\($0)'?" } ?? ""
        sink.error(
            "unknown-timezone", at: reader.location(node),
            "\(what): '\(text)' is not a known time zone; use an IANA name such as Europe/Berlin or UTC (see /usr/share/zoneinfo).\(hint)"
        )
        return nil
    }

    func requiredName(_ values: [String: Node], in node: Node, what: String) -> (String, Node)? {
        guard let nameNode = values["name"] else {
            sink.error("missing-key", at: reader.location(node), "this \(what) has no 'name'; give it a unique name.")
            return nil
        }
        guard let name = reader.string(nameNode, what: "name"), !name.isEmpty else {
            sink.error("missing-key", at: reader.location(nameNode), "the \(what) name is empty.")
            return nil
        }
        return (name, nameNode)
    }
}
