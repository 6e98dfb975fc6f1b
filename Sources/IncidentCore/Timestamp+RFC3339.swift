extension Timestamp {
    /// Parses RFC 3339 (`2026-11-22T06:18:48.534Z`, `...+02:00`, any fraction length; `t`, `z` and a space
    /// accepted for `T`/`Z`) and the ISO 8601 offsets `+hhmm` and `+hh`. Returns nil for anything else,
    /// impossible dates (Feb 30, hour 24) included. Every time it returns is `isValid` (years 0001 to 9999).
    public init?(rfc3339 text: String) {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= utf8.count else { return nil }
            var value = 0
            for i in start..<start + count {
                let c = utf8[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        for i in utf8.indices where utf8[i] == UInt8(ascii: "t") || utf8[i] == UInt8(ascii: "z") {
            utf8[i] -= 32
        }
        guard let year = digits(0, 4), utf8[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            utf8[7] == UInt8(ascii: "-"), let day = digits(8, 2),
            utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            let hour = digits(11, 2), utf8[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
            utf8[16] == UInt8(ascii: ":"), let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second <= 60
        else { return nil }
        var index = 19
        var micros: Int64 = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100_000
            let start = index
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                micros += Int64(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < utf8.count else { return nil }
        var offsetSeconds = 0
        if utf8[index] == UInt8(ascii: "Z") {
            index += 1
        } else if utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
            // RFC 3339 writes `+hh:mm`; ISO 8601 senders (PagerDuty's own documented example among them) also
            // write `+hhmm` and `+hh`. All three are unambiguous; anything else is refused.
            let sign = utf8[index] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = digits(index + 1, 2), oh < 24 else { return nil }
            var om = 0
            switch utf8.count - index {
            case 3:
                index += 3
            case 5:
                guard let minutes = digits(index + 3, 2) else { return nil }
                om = minutes
                index += 5
            case 6:
                guard utf8[index + 3] == UInt8(ascii: ":"), let minutes = digits(index + 4, 2) else { return nil }
                om = minutes
                index += 6
            default:
                return nil
            }
            guard om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard index == utf8.count else { return nil }
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        let time = Timestamp(microseconds: seconds * 1_000_000 + micros)
        // Year 0001 with a positive offset lands before 0001-01-01T00:00:00Z.
        guard time.isValid else { return nil }
        self = time
    }

    /// RFC 3339 in UTC with millisecond precision when there is a fraction: `2026-11-22T06:18:48.534Z`.
    ///
    /// Total: a time outside years 0001 to 9999 (which no decoder accepts, but an old store may hold) is written
    /// as the nearest one inside, rather than trapping or writing a year RFC 3339 cannot hold.
    public var rfc3339: String {
        let microseconds = min(max(self.microseconds, Self.earliestValid.microseconds), Self.latestValid.microseconds)
        let totalSeconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - totalSeconds * 1_000_000
        let days = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        let secondOfDay = totalSeconds - days * 86_400
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        func pad(_ value: Int, _ width: Int) -> String {
            let s = String(value)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var out = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        out +=
            "\(pad(Int(secondOfDay / 3600), 2)):\(pad(Int(secondOfDay % 3600 / 60), 2)):\(pad(Int(secondOfDay % 60), 2))"
        if micros != 0 {
            if micros % 1000 == 0 { out += "." + pad(Int(micros / 1000), 3) } else { out += "." + pad(Int(micros), 6) }
        }
        return out + "Z"
    }

    /// Days in a month of the proleptic Gregorian calendar; a parse must not roll Feb 30 into March.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil calendar algorithms: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
