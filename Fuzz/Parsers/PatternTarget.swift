import Foundation
import FuzzSupport
import IncidentRules

/// `Pattern`, the regex of `=~` matchers and `extract`: the first byte's low bit says anchored, the rest is
/// `SOURCE\0VALUE`. Where its fast paths (literals, `.*x.*`, alternations, the required-literal prefilter, the
/// search form of `.*BODY.*`) and ICU are meant to agree — ASCII, no line break in the value, no named groups
/// (which `Pattern` renames) — `matches` must give what `NSRegularExpression` gives; `captures` is non-nil
/// exactly when it matches. Where `LinearPattern` matches instead of ICU, the captures must be ICU's too.
enum PatternTarget {
    static let target = FuzzTarget("pattern") { data in
        guard let first = data.first else { return }
        let anchored = first & 1 == 1
        let body = data.dropFirst()
        let split = body.firstIndex(of: 0) ?? body.endIndex
        let source = String(decoding: body[..<split], as: UTF8.self)
        let value = String(decoding: body[split...].dropFirst(), as: UTF8.self)
        let pattern: Pattern
        do throws(PatternError) {
            pattern = try Pattern(source, anchored: anchored)
        } catch {
            FuzzCheck.require(!error.message.isEmpty, "an error without a message")
            return
        }
        let matched = pattern.matches(value)
        let captures = pattern.captures(in: value)
        FuzzCheck.require(
            (captures != nil) == matched, "matches says \(matched), captures \(String(describing: captures))")
        for (name, _) in captures ?? [] {
            FuzzCheck.require(pattern.captureNames.contains(name), "a capture named \(name) the pattern has not")
        }
        // Where ICU is spared (`LinearPattern`: literal text and runs of one class), the answers must be ICU's, on
        // any value: whether it matches, and each group's text. A match ICU abandoned at its deadline is no reference.
        if pattern.isLinear {
            let timeouts = Pattern.timeouts
            let reference = pattern.regexCaptures(in: value)
            let referenceMatches = pattern.regexMatches(value)
            if Pattern.timeouts == timeouts {
                let got = captures.map { $0.map { "\($0.0)=\($0.1.debugDescription)" } }
                let expected = reference.map { $0.map { "\($0.0)=\($0.1.debugDescription)" } }
                FuzzCheck.require(
                    got == expected && matched == referenceMatches,
                    "'\(source)' (anchored: \(anchored)) on \(value.debugDescription): \(String(describing: got)), ICU says "
                        + String(describing: expected))
            }
        }
        guard !source.isEmpty, source.utf8.allSatisfy({ $0 < 0x80 }), value.utf8.allSatisfy({ $0 < 0x80 }),
            !value.utf8.contains(where: { $0 >= 0x0A && $0 <= 0x0D }), !source.contains("(?<"),
            !source.contains("(?P<")
        else { return }
        guard let reference = try? NSRegularExpression(pattern: anchored ? "\\A(?:\(source))\\z" : source) else {
            FuzzCheck.require(false, "Pattern compiled '\(source)', which ICU refuses")
            return
        }
        let expected =
            reference.firstMatch(in: value, options: [], range: NSRange(location: 0, length: value.utf16.count)) != nil
        FuzzCheck.require(
            matched == expected, "'\(source)' (anchored: \(anchored)) on '\(value)': \(matched), ICU says \(expected)")
    }
}
