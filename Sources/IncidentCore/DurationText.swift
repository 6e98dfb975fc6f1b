/// Operator-facing durations: `30s`, `5m`, `4h`, `7d`, `1h30m`, `250ms`, `2w` (and `us`, which `format` writes).
public enum DurationText {
    /// Parses a duration; nil when the text is not one. Zero (`0s`, `0`) is allowed.
    public static func parse(_ text: String) -> Duration? {
        let s = text.trimmingSpaces
        if s == "0" { return .zero }
        var total: Int64 = 0
        var number: Int64 = 0
        var sawDigit = false
        var sawUnit = false
        var chars = Array(s.utf8)[...]
        while let c = chars.first {
            if c >= 48, c <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
                guard !o1, !o2 else { return nil }
                number = a
                sawDigit = true
                chars = chars.dropFirst()
                continue
            }
            guard sawDigit else { return nil }
            let unitMicros: Int64
            if chars.starts(with: "ms".utf8) {
                unitMicros = 1000
                chars = chars.dropFirst(2)
            } else if chars.starts(with: "us".utf8) {
                // format writes microseconds as "us"; what it writes must parse back.
                unitMicros = 1
                chars = chars.dropFirst(2)
            } else {
                switch c {
                case UInt8(ascii: "s"): unitMicros = 1_000_000
                case UInt8(ascii: "m"): unitMicros = 60_000_000
                case UInt8(ascii: "h"): unitMicros = 3_600_000_000
                case UInt8(ascii: "d"): unitMicros = 86_400_000_000
                case UInt8(ascii: "w"): unitMicros = 604_800_000_000
                default: return nil
                }
                chars = chars.dropFirst()
            }
            let (part, o1) = number.multipliedReportingOverflow(by: unitMicros)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            number = 0
            sawDigit = false
            sawUnit = true
        }
        guard sawUnit, !sawDigit else { return nil }
        return .microseconds(total)
    }

    /// The shortest operator form: `1h30m`, `45s`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        let signed = duration.microseconds
        if signed == 0 { return "0s" }
        var out = signed < 0 ? "-" : ""
        // magnitude, not abs: abs(Int64.min) traps, and a saturated difference of two times can be Int64.min.
        var micros = signed.magnitude
        let units: [(UInt64, String)] = [
            (86_400_000_000, "d"), (3_600_000_000, "h"), (60_000_000, "m"), (1_000_000, "s"), (1000, "ms"),
        ]
        for (size, name) in units where micros >= size {
            out += "\(micros / size)\(name)"
            micros %= size
        }
        if micros > 0 { out += "\(micros)us" }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
