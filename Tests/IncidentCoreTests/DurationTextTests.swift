import IncidentCore
import Testing

@Suite("DurationText")
struct DurationTextTests {
    static let valid: [(String, Duration)] = [
        ("30s", .seconds(30)),
        ("5m", .seconds(300)),
        ("4h", .seconds(4 * 3600)),
        ("7d", .seconds(7 * 86_400)),
        ("2w", .seconds(14 * 86_400)),
        ("250ms", .milliseconds(250)),
        ("1h30m", .seconds(5400)),
        ("1d2h3m4s5ms", .seconds(86_400 + 7200 + 180 + 4) + .milliseconds(5)),
        ("90m", .seconds(5400)),
        ("0", .zero),
        ("0s", .zero),
        ("0m0s", .zero),
        (" 5m\t", .seconds(300)),
        ("015s", .seconds(15)),
        ("1ms500us", .microseconds(1500)),
        ("3us", .microseconds(3)),
    ]

    @Test("parses operator durations", arguments: valid)
    func parses(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(
        "rejects what is not a duration",
        arguments: [
            "", " ", "5", "m", "5x", "-5m", "+5m", "1.5h", "5 m", "5M", "5mm", "h5", "1h30", "s5", "00", "5ms5", "5u",
            "5usx", "5µs",
            "99999999999999999d",  // overflows on the unit
            "9999999999999999999s",  // overflows on the digits
            "106751991d27h",  // overflows on the sum
        ])
    func rejects(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    static let formatted: [(Duration, String)] = [
        (.zero, "0s"),
        (.seconds(45), "45s"),
        (.seconds(5400), "1h30m"),
        (.milliseconds(250), "250ms"),
        (.seconds(14 * 86_400), "14d"),
        (.seconds(86_400 + 1) + .milliseconds(1), "1d1s1ms"),
        (.seconds(-300), "-5m"),
    ]

    @Test("formats the shortest operator form", arguments: formatted)
    func formats(duration: Duration, text: String) {
        #expect(DurationText.format(duration) == text)
    }

    static let roundTrips: [Duration] = [
        .zero, .seconds(30), .seconds(300), .seconds(5400), .seconds(7 * 86_400), .seconds(14 * 86_400),
        .milliseconds(250), .milliseconds(1500), .seconds(86_400 * 365 + 1), .microseconds(1),
        .microseconds(1_500), .microseconds(3_600_000_001),
    ]

    @Test("every non-negative duration survives format then parse", arguments: roundTrips)
    func roundTrip(duration: Duration) {
        #expect(DurationText.parse(DurationText.format(duration)) == duration, "\(DurationText.format(duration))")
    }

    @Test("every text a parse accepts survives parse then format then parse", arguments: ["2w", "1h30m", "250ms", "0"])
    func roundTripFromText(text: String) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(DurationText.parse(DurationText.format(duration)) == duration)
    }
}
