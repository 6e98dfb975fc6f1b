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
            "2026-11-22T06:18:48+02",  // truncated offset
            "2026-11-22T06:18:48+0200",  // offset without colon
            "2026-11-22T06:18:48+02:0",
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

    @Test("arithmetic with durations")
    func arithmetic() {
        let t = Timestamp(microseconds: base)
        #expect((t + .seconds(90)).microseconds == base + 90_000_000)
        #expect((t - .milliseconds(250)).microseconds == base - 250_000)
        #expect((t + .seconds(90)) - t == .seconds(90))
        #expect(t < t + .microseconds(1))
    }
}
