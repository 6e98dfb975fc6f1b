import Foundation
import IncidentCore

extension PayloadDecoder {
    /// One alert in Alertmanager API v2 form, exactly as a well-formed socket line or `POST /api/v2/alerts` sends
    /// it: every label and annotation a string.
    struct PlainAlert {
        var labels: Labels
        var annotations: Labels?
        var status: String?
        var startsAt: String?
        var endsAt: String?
        var generatorURL: String?
    }

    /// Decodes generic alerts straight into Swift values with `PlainAlertParser`, several times cheaper than
    /// `JSONSerialization`'s bridged dictionaries (and than `JSONDecoder`, measured). Returns nil for anything it
    /// does not take as is (numbers as label values, nulls, other shapes, malformed JSON): the general path then
    /// decides, with its exact error messages, so both paths accept and refuse the same input.
    func decodePlainAlerts(_ data: Data, source: EventSource, receivedAt: Timestamp) throws(PayloadError)
        -> [Event]?
    {
        guard let alerts = data.withUnsafeBytes({ PlainAlertParser.parse($0.bindMemory(to: UInt8.self)) }) else {
            return nil
        }
        // One object (not an array) is "alert" in error messages, as on the general path; an array's are "[i]".
        let single = alerts.count == 1 && data.first(where: { $0 > 0x20 }) == UInt8(ascii: "{")
        var events: [Event] = []
        events.reserveCapacity(alerts.count)
        for (i, alert) in alerts.enumerated() {
            events.append(try event(alert, path: single ? "alert" : "[\(i)]", source: source, receivedAt: receivedAt))
        }
        return events
    }

    private func event(
        _ alert: PlainAlert, path: @autoclosure () -> String, source: EventSource, receivedAt: Timestamp
    ) throws(PayloadError) -> Event {
        let labels = alert.labels
        guard !labels.isEmpty else {
            throw PayloadError("no-labels", "\(path()).labels is missing or empty; an alert needs labels")
        }
        try check(labels, path: "\(path()).labels")
        let annotations = alert.annotations ?? Labels()
        try checkAnnotations(annotations, path: "\(path()).annotations")
        var startsAt = try time(string: alert.startsAt, path: "\(path()).startsAt")
        var endsAt = try time(string: alert.endsAt, path: "\(path()).endsAt")
        if let s = startsAt, s.microseconds <= 0 { startsAt = nil }
        if let e = endsAt, e.microseconds <= 0 { endsAt = nil }
        let status: EventStatus
        if let s = alert.status {
            guard let parsed = EventStatus(rawValue: s) else {
                throw PayloadError("bad-status", "\(path()).status is \(Self.excerpt(s)); use firing or resolved")
            }
            status = parsed
        } else {
            status = (endsAt.map { $0 <= receivedAt } ?? false) ? .resolved : .firing
        }
        return Event(
            labels: labels, annotations: annotations, status: status, startsAt: startsAt,
            endsAt: endsAt, source: source, receivedAt: receivedAt, generatorURL: alert.generatorURL)
    }
}
