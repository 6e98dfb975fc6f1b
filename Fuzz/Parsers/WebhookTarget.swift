import Foundation
import FuzzSupport
import IncidentCore
import IncidentPayload

/// `PayloadDecoder.decode` without a format: detection from the shape, then whichever decoder it picks (a spool
/// file or `incidentctl replay` of a webhook file takes this path).
enum WebhookTarget {
    static let target = FuzzTarget("webhook") { data in
        let decoder = PayloadDecoder()
        do throws(PayloadError) {
            let events = try decoder.decode(data, source: .spool, receivedAt: EventProperties.receivedAt)
            EventProperties.check(events, decoder: decoder)
        } catch {
            EventProperties.check(error)
        }
    }
}
