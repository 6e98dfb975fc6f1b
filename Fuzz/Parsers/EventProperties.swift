import FuzzSupport
import IncidentCore
import IncidentPayload

/// What every decoder promises of the events it returns, whatever the input (SPEC §4): labels present and
/// within the limits, times in years 0001..9999, the arrival time untouched; and of its errors, a code and
/// a message.
enum EventProperties {
    /// A fixed arrival time, so that a crash reproduces (2026-11-22T06:18:48Z).
    static let receivedAt = Timestamp(microseconds: 1_795_328_328_000_000)

    static func check(_ events: [Event], decoder: PayloadDecoder) {
        for event in events {
            FuzzCheck.require(!event.labels.isEmpty, "an event without labels")
            FuzzCheck.require(event.labels.count <= decoder.maxLabels, "\(event.labels.count) labels")
            for label in event.labels {
                FuzzCheck.require(!label.name.isEmpty, "an empty label name")
                FuzzCheck.require(
                    label.value.utf8.count <= decoder.maxLabelValueBytes, "label \(label.name) is too long")
            }
            FuzzCheck.requireValid(event.startsAt, "startsAt")
            FuzzCheck.requireValid(event.endsAt, "endsAt")
            FuzzCheck.require(event.receivedAt == receivedAt, "receivedAt changed")
        }
    }

    static func check(_ error: PayloadError) {
        FuzzCheck.require(!error.code.isEmpty && !error.message.isEmpty, "an error without code or message")
    }
}
