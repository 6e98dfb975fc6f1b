import IncidentCore
import Testing

/// 2026-11-22T06:18:48Z, computed independently (Python `datetime`).
private let base: Int64 = 1_795_328_328_000_000

@Suite("Timestamp RFC 3339")
struct TimestampRFC3339Tests {
    static let valid: [(String, Int64)] = [
        ("2026-11-22T06:18:48Z", base),
        ("2026-11-22t06:18:48z", base),
        ("2026-11-22 06:18:48Z", base),
        ("2026-11-22T08:18:48+02:00", base),
        ("2026-11-22T00:48:48-05:30", base),
        ("2026-11-22T06:18:48+00:00", base),
        ("2026-11-22T06:18:48-00:00", base),
        ("2026-11-23T01:18:48+19:00", base),
        ("2026-11-22T06:18:48.5Z", base + 500_000),
        ("2026-11-22T06:18:48.53Z", base + 530_000),
        ("2026-11-22T06:18:48.534Z", base + 534_000),
        ("2026-11-22T06:18:48.5319Z", base + 531_900),
        ("2026-11-22T06:18:48.53194Z", base + 531_940),
        ("2026-11-22T06:18:48.531944Z", base + 531_944),
        // Go writes nanoseconds; the journal's microsecond resolution truncates the rest.
        ("2026-11-22T06:18:48.5319441Z", base + 531_944),
        ("2026-11-22T06:18:48.53194415Z", base + 531_944),
        ("2026-11-22T06:18:48.363076507Z", base + 363_076),
        ("2026-11-22T06:18:48.000000001Z", base),
        ("2026-11-22T08:18:48.25+02:00", base + 250_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.5Z", -500_000),
        ("2024-02-29T23:59:59Z", 1_709_251_199_000_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),  // divisible by 400: a leap year
        ("2026-11-22T06:18:48+23:59", base - 86_340_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
        // ISO 8601 offsets real senders use: PagerDuty's own documented Events v2 example writes +0000.
        ("2015-07-17T08:42:58.315+0000", 1_437_122_578_315_000),
        ("2026-11-22T08:18:48+0200", base),
        ("2026-11-22T00:48:48-0530", base),
        ("2026-11-22T08:18:48+02", base),
        ("2026-11-22T01:18:48-05", base),
        // Any fraction length, even one far past nanoseconds.
        ("2026-11-22T06:18:48.\(String(repeating: "5", count: 200))Z", base + 555_555),
    ]

    @Test("parses UTC, offsets, fractions and lower-case separators", arguments: valid)
    func parses(text: String, micros: Int64) {
        #expect(Timestamp(rfc3339: text)?.microseconds == micros)
    }

    @Test(
        "rejects what is not an RFC 3339 time",
        arguments: [
            "",
            "2026",
            "2026-11-22",
            "2026-11-22T06:18",
            "2026-11-22T06:18:4",
            "2026-11-22T06:18:48",  // no zone
            "2026-11-22T06:18:48.534",  // no zone
            "2026-11-22T06:18:48.Z",  // dot without digits
            "2026-11-22T06:18:48+2",  // truncated offset
            "2026-11-22T06:18:48+020",
            "2026-11-22T06:18:48+02:0",
            "2026-11-22T06:18:48+02:000",
            "2026-11-22T06:18:48+02000",
            "2026-11-22T06:18:48+2400",
            "2026-11-22T06:18:48+0260",
            "2026-11-22T06:18:48+02-00",
            "2026-11-22T06:18:48+",
            "2026-11-22T06:18:48ZZ",  // trailing garbage
            "2026-11-22T06:18:48Z ",
            "2026-11-22T06:18:48Zjunk",
            "2026-11-22T06:18:48+02:00x",
            " 2026-11-22T06:18:48Z",
            "2026-13-22T06:18:48Z",  // month 13
            "2026-00-22T06:18:48Z",
            "2026-11-00T06:18:48Z",
            "2026-11-32T06:18:48Z",
            "2026-11-31T06:18:48Z",  // November has 30 days
            "2026-02-29T06:18:48Z",  // not a leap year
            "1900-02-29T06:18:48Z",  // divisible by 100, not 400: not a leap year
            "2026-02-30T06:18:48Z",
            "2026-04-31T06:18:48Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T06:60:48Z",
            "2026-11-22T06:18:48+24:00",
            "2026-11-22T06:18:48+02:60",
            "2026/11/22T06:18:48Z",
            "2026-11-22X06:18:48Z",
            "yesterday at noon, UTC",  // letters
            "abcd-ef-ghTij:kl:mnZ",
            "2026-1a-22T06:18:48Z",
            "2026-11-22T06:18:48.53a4Z",
            "-026-11-22T06:18:48Z",
            // Outside what RFC 3339 can write: year 0000, and year 0001 pushed before its start by an offset.
            "0000-12-31T23:59:59Z",
            "0001-01-01T00:00:00+01:00",
            "0001-01-01T00:59:59+0100",
        ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    static let formatted: [(Int64, String)] = [
        (base, "2026-11-22T06:18:48Z"),
        (base + 534_000, "2026-11-22T06:18:48.534Z"),
        (base + 5_000, "2026-11-22T06:18:48.005Z"),
        (base + 531_944, "2026-11-22T06:18:48.531944Z"),
        (base + 1, "2026-11-22T06:18:48.000001Z"),
        (0, "1970-01-01T00:00:00Z"),
        (-500_000, "1969-12-31T23:59:59.500Z"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00Z"),
        (1_709_251_199_000_000, "2024-02-29T23:59:59Z"),
    ]

    @Test("formats in UTC, milliseconds when they suffice, else microseconds", arguments: formatted)
    func formats(micros: Int64, text: String) {
        #expect(Timestamp(microseconds: micros).rfc3339 == text)
        #expect(Timestamp(microseconds: micros).description == text)
    }

    static let instants: [Int64] = [
        base, base + 534_000, base + 531_944, base + 1, 0, -1, -500_000, -62_135_596_800_000_000,
        253_402_300_799_999_999, 951_782_400_000_000,
    ]

    @Test("formatting then parsing gives the same instant", arguments: instants)
    func roundTripFromInstant(micros: Int64) {
        let t = Timestamp(microseconds: micros)
        #expect(Timestamp(rfc3339: t.rfc3339) == t)
    }

    static let texts: [(String, String)] = [
        ("2026-11-22T06:18:48.534Z", "2026-11-22T06:18:48.534Z"),
        ("2026-11-22T08:18:48.534+02:00", "2026-11-22T06:18:48.534Z"),
        ("2026-11-22T00:48:48-05:30", "2026-11-22T06:18:48Z"),
        ("2026-11-22t06:18:48.5z", "2026-11-22T06:18:48.500Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("2026-11-22T06:18:48.53194415Z", "2026-11-22T06:18:48.531944Z"),
    ]

    @Test("parsing then formatting gives the UTC form of the same instant", arguments: texts)
    func roundTripFromText(text: String, utc: String) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.rfc3339 == utc)
    }

    @Test(
        "every instant, however far outside the valid years, formats without trapping, clamped into them",
        arguments: [
            (Int64.min, "0001-01-01T00:00:00Z"), (Int64.min + 1, "0001-01-01T00:00:00Z"),
            (-62_135_596_800_000_001, "0001-01-01T00:00:00Z"), (Int64.max, "9999-12-31T23:59:59.999999Z"),
            (253_402_300_800_000_000, "9999-12-31T23:59:59.999999Z"),
        ])
    func formatsEveryInstant(micros: Int64, text: String) {
        #expect(Timestamp(microseconds: micros).rfc3339 == text)
        #expect(!Timestamp(microseconds: micros).isValid)
    }

    @Test("the valid range is exactly years 0001 to 9999")
    func validRange() {
        #expect(Timestamp.earliestValid.isValid && Timestamp.latestValid.isValid)
        #expect(Timestamp(rfc3339: "0001-01-01T00:00:00Z") == .earliestValid)
        #expect(Timestamp(rfc3339: "9999-12-31T23:59:59.999999Z") == .latestValid)
        #expect(!Timestamp(microseconds: Timestamp.earliestValid.microseconds - 1).isValid)
        #expect(!Timestamp(microseconds: Timestamp.latestValid.microseconds + 1).isValid)
    }

    @Test("arithmetic saturates at the ends of Int64 instead of trapping")
    func saturates() {
        let low = Timestamp(microseconds: .min)
        let high = Timestamp(microseconds: .max)
        #expect((low - .seconds(1)).microseconds == .min)
        #expect((high + .seconds(1)).microseconds == .max)
        #expect((low + .seconds(-1)).microseconds == .min)
        #expect((high - .seconds(-1)).microseconds == .max)
        #expect((high - low).microseconds == .max)
        #expect((low - high).microseconds == .min)
        #expect(Duration.seconds(Int64.max).microseconds == .max)
        #expect(Duration.seconds(Int64.min).microseconds == .min)
        #expect(Timestamp(seconds: .infinity).microseconds == .max)
        #expect(Timestamp(seconds: -.infinity).microseconds == .min)
        #expect(Timestamp(seconds: .nan).microseconds == 0)
        // abs(Int64.min) traps; the formatter must write it.
        #expect(DurationText.format(low - high).hasPrefix("-106751991d4h"))
    }

    @Test("arithmetic with durations")
    func arithmetic() {
        let t = Timestamp(microseconds: base)
        #expect((t + .seconds(90)).microseconds == base + 90_000_000)
        #expect((t - .milliseconds(250)).microseconds == base - 250_000)
        #expect((t + .seconds(90)) - t == .seconds(90))
        #expect(t < t + .microseconds(1))
    }
}
