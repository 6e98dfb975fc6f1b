import IncidentCore

extension WebPages {
    /// Silences, newest start first; expired ones only when `showAll`.
    public func silences(_ chrome: PageChrome, silences: [Silence], showAll: Bool, now: Timestamp) -> String {
        let shown = silences.filter { showAll || $0.state(at: now) != .expired }
            .sorted { ($0.startsAt, $0.id) > ($1.startsAt, $1.id) }
        return page(
            "silences", chrome,
            [
                "showAll": showAll, "hasRows": !shown.isEmpty,
                "rows": shown.map { silence -> [String: Any] in
                    let state = silence.state(at: now)
                    return [
                        "id": silence.id, "matchers": silence.matchers.map(\.text), "state": state.rawValue,
                        "endsAt": Self.time(silence.endsAt),
                        "left": state == .expired ? "ended" : ElapsedText.age(of: silence.endsAt, now: now),
                        "createdBy": silence.createdBy, "comment": silence.comment, "active": state != .expired,
                    ]
                },
            ])
    }

    /// Who is on call now and next in every schedule.
    public func onCall(_ chrome: PageChrome, schedules: [OnCallStatus]) -> String {
        page(
            "oncall", chrome,
            [
                "hasSchedules": !schedules.isEmpty,
                "schedules": schedules.enumerated().map { index, schedule -> [String: Any] in
                    var value: [String: Any] = ["index": index, "name": schedule.name, "timezone": schedule.timezone]
                    if let now = schedule.now {
                        value["now"] = ["user": now.user, "end": Self.time(now.end), "override": now.isOverride]
                    }
                    if let next = schedule.next { value["next"] = ["user": next.user, "start": Self.time(next.start)] }
                    return value
                },
            ])
    }
}
