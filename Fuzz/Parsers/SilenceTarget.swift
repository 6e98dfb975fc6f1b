import Foundation
import FuzzSupport
import IncidentCore
import IncidentEngine

/// Alertmanager's PostableSilence (`POST /api/v2/silences`, amtool's body) and the matcher syntax of
/// `incidentctl silence add` / `filter=`: what decodes encodes and decodes back to the same silence; a silence the
/// API accepts (`validate`) and the engine accepts mutes exactly what its matchers select; every matcher that
/// parses prints (`text`) as text that parses back to it, and a missing label matches as the empty string.
enum SilenceTarget {
    static let now = Timestamp(rfc3339: "2026-12-04T12:00:00Z")!

    static let target = FuzzTarget("silence") { data in
        if let posted = try? JSONDecoder().decode(PostableSilence.self, from: data) {
            checkRoundTrip(posted)
            checkEngine(posted)
        }
        for line in String(decoding: data.prefix(4096), as: UTF8.self).split(separator: "\n").prefix(16) {
            checkMatcher(String(line))
        }
    }

    static func checkRoundTrip(_ posted: PostableSilence) {
        guard let encoded = try? JSONEncoder().encode(posted) else {
            FuzzCheck.require(false, "a decoded silence does not encode")
            return
        }
        let again = try? JSONDecoder().decode(PostableSilence.self, from: encoded)
        // Times are kept to the microsecond and printed in RFC 3339, so the round trip is exact.
        FuzzCheck.require(again == posted, "the silence does not survive encode and decode")
    }

    static func checkEngine(_ posted: PostableSilence) {
        guard (try? posted.validate(now: now)) != nil else { return }
        var engine = CorrelationEngine(ruleSet: .empty)
        _ = engine.advance(to: now)
        let silence = Silence(
            id: "fuzz", matchers: posted.matchers, startsAt: posted.startsAt, endsAt: posted.endsAt,
            createdBy: posted.createdBy, comment: posted.comment, updatedAt: now)
        guard (try? engine.upsertSilence(silence, at: now)) != nil else { return }
        FuzzCheck.require(engine.silences.count == 1, "an accepted silence is not listed")
        let stored = engine.silences[0]
        FuzzCheck.require(stored.endsAt == posted.endsAt, "the engine changed endsAt")
        FuzzCheck.require(stored.startsAt >= now || stored.startsAt == posted.startsAt, "startsAt moved back")
    }

    static func checkMatcher(_ text: String) {
        guard let matcher = try? SilenceMatcher(parsing: text) else { return }
        FuzzCheck.require(!matcher.name.isEmpty, "a matcher without a name from '\(text)'")
        FuzzCheck.require(
            matcher.matches(labelValue: nil) == matcher.matches(labelValue: ""),
            "a missing label and an empty one differ for \(matcher.text)")
        // `text` escapes \, " and newline; a value with a carriage return or other control character is printed
        // as is, which the bare-value syntax may trim, so only the round trip of plain values is required.
        if !matcher.value.unicodeScalars.contains(where: { $0.properties.isWhitespace && $0 != " " }) {
            let reparsed = try? SilenceMatcher(parsing: matcher.text)
            FuzzCheck.require(reparsed == matcher, "'\(matcher.text)' does not parse back to the same matcher")
        }
    }
}
