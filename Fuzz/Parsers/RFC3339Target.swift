import FuzzSupport
import IncidentCore

/// `Timestamp(rfc3339:)`: any text either parses or not, and what parses renders to RFC 3339 that parses back to
/// the same microsecond, after which rendering is stable. (Year 0000 is RFC 3339 too; an offset that moves a time
/// out of 0000..9999 is the known `time-range` class.)
enum RFC3339Target {
    static let target = FuzzTarget("rfc3339") { data in
        guard let time = Timestamp(rfc3339: String(decoding: data, as: UTF8.self)) else { return }
        let text = time.rfc3339
        guard let again = Timestamp(rfc3339: text) else {
            FuzzCheck.known("time-range", "'\(text)' (rendered from \(time.microseconds) µs) does not parse")
            return
        }
        FuzzCheck.require(again == time, "'\(text)' parses to \(again.microseconds) µs, not \(time.microseconds)")
        FuzzCheck.require(again.rfc3339 == text, "rendering is not stable: '\(again.rfc3339)' after '\(text)'")
    }
}
