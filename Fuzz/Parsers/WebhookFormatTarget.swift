import Foundation
import FuzzSupport
import IncidentCore
import IncidentPayload

/// Each decoder given its format explicitly, as `POST /api/v1/webhook/{format}` and the journal JSON replay do:
/// the first byte picks the format (alertmanager, pagerduty, grafana, generic, journal), the rest is the body.
enum WebhookFormatTarget {
    static let target = FuzzTarget("webhook-format") { data in
        guard let first = data.first else { return }
        let format = PayloadFormat.allCases[Int(first) % PayloadFormat.allCases.count]
        let decoder = PayloadDecoder()
        do throws(PayloadError) {
            let events = try decoder.decode(
                data.dropFirst(), format: format, source: .http, receivedAt: EventProperties.receivedAt)
            EventProperties.check(events, decoder: decoder)
        } catch {
            EventProperties.check(error)
        }
    }
}
