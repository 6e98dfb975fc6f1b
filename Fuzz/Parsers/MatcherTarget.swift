import FuzzSupport
import IncidentCore
import IncidentRules

/// `Matcher.parseList` (`incidentctl rules explain`, `list --match`): what parses prints (`description`) as text
/// that parses back to the same matchers, a missing label matches as the empty string, and `!=`/`!~` are the
/// exact negations of `=`/`=~`.
enum MatcherTarget {
    static let negation: [Matcher.Operator: Matcher.Operator] = [
        .equal: .notEqual, .notEqual: .equal, .regexMatch: .regexNoMatch, .regexNoMatch: .regexMatch,
    ]

    static let target = FuzzTarget("matcher") { data in
        let text = String(decoding: data, as: UTF8.self)
        let matchers: [Matcher]
        do throws(Matcher.ParseError) {
            matchers = try Matcher.parseList(text)
        } catch {
            FuzzCheck.require(!error.message.isEmpty && error.offset >= 0, "an error without message or offset")
            return
        }
        FuzzCheck.require(!matchers.isEmpty, "parsed to no matchers and no error")
        // `quoted` writes a carriage return as `\r`, which the matcher syntax does not read back (only \n, \t,
        // \" and \\ are escapes there): values holding one are left out of the round trip.
        if !matchers.contains(where: { $0.value.unicodeScalars.contains("\r") }) {
            let printed = matchers.map(\.description).joined(separator: ", ")
            let again = try? Matcher.parseList(printed)
            FuzzCheck.require(
                again.map { $0.map(\.description) == matchers.map(\.description) } ?? false,
                "'\(printed)' does not parse back to the same matchers")
        }
        for matcher in matchers {
            FuzzCheck.require(!matcher.name.isEmpty, "a matcher without a name")
            FuzzCheck.require(matcher.matches(nil) == matcher.matches(""), "nil and \"\" differ for \(matcher)")
            guard let opposite = try? Matcher(name: matcher.name, op: negation[matcher.op]!, value: matcher.value)
            else {
                FuzzCheck.require(false, "the negation of \(matcher) does not compile")
                return
            }
            for candidate in [matcher.value, "", text] {
                FuzzCheck.require(
                    matcher.matches(candidate) != opposite.matches(candidate),
                    "\(matcher) and \(opposite) agree on '\(candidate)'")
            }
        }
    }
}
