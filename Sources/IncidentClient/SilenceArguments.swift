import IncidentCore

/// `incidentctl silence add`'s arguments, checked and turned into the PostableSilence to send.
public enum SilenceArguments {
    /// `matchers` in Alertmanager's syntax; exactly one of `duration` (`2h`, `1d`) and `until` (RFC 3339);
    /// `starts` (RFC 3339) defaults to now.
    public static func silence(
        matchers texts: [String], extra: [SilenceMatcher] = [], duration: String?, until: String?, starts: String?,
        comment: String, by person: String, now: Timestamp
    ) throws(UsageError) -> PostableSilence {
        var matchers = extra
        do throws(SilenceMatcherError) {
            matchers += try SilenceMatcher.parseList(texts)
        } catch {
            throw UsageError(error.message)
        }
        guard !matchers.isEmpty else {
            throw UsageError("name at least one MATCHER (e.g. alertname=DiskFull host=~\"db.*\") or --from INC-n")
        }
        var startsAt = now
        if let starts {
            guard let time = Timestamp(rfc3339: starts) else {
                throw UsageError("--starts '\(starts)' is not an RFC 3339 time, e.g. 2026-12-24T09:00:00Z")
            }
            startsAt = time
        }
        let endsAt: Timestamp
        switch (duration, until) {
        case (let duration?, nil):
            guard let length = DurationText.parse(duration), length > .zero else {
                throw UsageError("--duration '\(duration)' is not a positive duration, e.g. 30m, 2h, 1d")
            }
            endsAt = startsAt + length
        case (nil, let until?):
            guard let time = Timestamp(rfc3339: until) else {
                throw UsageError("--until '\(until)' is not an RFC 3339 time, e.g. 2026-12-24T18:00:00Z")
            }
            endsAt = time
        case (nil, nil):
            throw UsageError("say how long: --duration D (e.g. 2h) or --until TIME")
        case (_?, _?):
            throw UsageError("--duration and --until exclude each other: give one")
        }
        guard !comment.allSatisfy(\.isWhitespace) else {
            throw UsageError("--comment is empty: say why, for whoever finds the silence later")
        }
        let silence = PostableSilence(
            matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: person, comment: comment)
        do throws(SilenceMatcherError) {
            try silence.validate(now: now)
        } catch {
            throw UsageError(error.message)
        }
        return silence
    }

    /// The `=` matchers of an incident's common labels (`--from INC-n`).
    public static func matchers(from incident: Incident) throws(UsageError) -> [SilenceMatcher] {
        let matchers = incident.labels.dictionary.sorted { $0.key < $1.key }.map {
            SilenceMatcher(name: $0.key, value: $0.value)
        }
        guard !matchers.isEmpty else {
            throw UsageError("\(incident.id) has no labels common to its alerts: name the MATCHERs yourself")
        }
        return matchers
    }
}
