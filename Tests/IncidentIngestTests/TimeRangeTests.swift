import Foundation
import IncidentCore
import IncidentIngest
import Testing

/// Times outside years 0001..9999 must be refused with `bad-time` by every decoder: kept, they trap in
/// Timestamp arithmetic and rendering downstream. Found by fuzzing (Fuzz/regressions/webhook*/ and
/// journal-export/); the range checks are being added to Timestamp and the decoders on main, and these tests
/// pass once they are in.
@Suite struct TimeRangeTests {
    static let payloads: [(String, String)] = [
        ("journal, __REALTIME_TIMESTAMP Int64.min", #"{"MESSAGE":"x","__REALTIME_TIMESTAMP":"-9223372036854775808"}"#),
        ("journal, __REALTIME_TIMESTAMP Int64.max", #"{"MESSAGE":"x","__REALTIME_TIMESTAMP":"9223372036854775807"}"#),
        (
            "alertmanager, startsAt pushed past 9999 by its offset",
            #"{"version":"4","alerts":[{"labels":{"alertname":"A"},"startsAt":"9999-12-31T23:59:59-23:59"}]}"#
        ),
        (
            "generic, endsAt pushed past 9999 by its offset",
            #"{"labels":{"a":"1"},"endsAt":"9999-12-31T23:59:59.999999-00:01"}"#
        ),
        (
            "pagerduty, timestamp in year 0",
            #"{"event_action":"trigger","payload":{"summary":"s","source":"h","timestamp":"0000-01-01T00:00:00Z"}}"#
        ),
    ]

    @Test(arguments: payloads)
    func aDecoderRefusesATimeOutsideTheRange(_ name: String, _ json: String) {
        do {
            let events = try decode(json)
            Issue.record("\(name): accepted, startsAt \(String(describing: events.first?.startsAt?.microseconds))")
        } catch {
            #expect(error.code == "bad-time", "\(name): \(error)")
        }
    }

    @Test func theJournalMapperRefusesATimeOutsideTheRange() {
        for raw in ["-9223372036854775808", "9223372036854775807", "-62135596800000001", "253402300800000000"] {
            do {
                _ = try JournalEntryMapper.event(
                    fields: ["MESSAGE": "x", "__REALTIME_TIMESTAMP": raw], receivedAt: Timestamp(microseconds: 0))
                Issue.record("__REALTIME_TIMESTAMP=\(raw) accepted")
            } catch {
                #expect(error.code == "bad-time", "\(raw): \(error)")
            }
        }
    }
}
