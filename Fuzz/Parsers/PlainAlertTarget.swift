import Foundation
import FuzzSupport
import IncidentCore
import IncidentPayload

/// The socket line's fast path (`PlainAlertParser`, taken by `decode(_:format: .generic)`) against the general
/// path (`JSONSerialization`, then `decode(object:format: .generic)`): for any UTF-8 input both accept the
/// same events or refuse with the same error. The fast path is internal; this compares what callers see.
enum PlainAlertTarget {
    static let target = FuzzTarget("plain-alert") { data in
        let decoder = PayloadDecoder()
        let received = EventProperties.receivedAt
        let fast: Result<[Event], PayloadError> = Result { () throws(PayloadError) in
            try decoder.decode(data, format: .generic, source: .socket, receivedAt: received)
        }
        if case .success(let events) = fast { EventProperties.check(events, decoder: decoder) }
        // The general path on its own; the checks before parsing (size, blank, UTF-8) are the same code for both.
        guard String(validating: data, as: UTF8.self) != nil,
            !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        else { return }
        let general: Result<[Event], PayloadError>
        if let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
            general = Result { () throws(PayloadError) in
                try decoder.decode(object: object, format: .generic, source: .socket, receivedAt: received)
            }
        } else {
            general = .failure(PayloadError("bad-json", ""))
        }
        switch (fast, general) {
        case (.success(let a), .success(let b)):
            FuzzCheck.require(a == b, "the fast and general paths decode different events: \(a) vs \(b)")
        case (.failure(let a), .failure(let b)):
            FuzzCheck.require(a.code == b.code, "the paths refuse with different codes: \(a) vs \(b)")
            if b.code != "bad-json" {
                FuzzCheck.require(a == b, "the paths refuse with different messages: \(a) vs \(b)")
            }
        case (.success(let a), .failure(let b)):
            FuzzCheck.require(false, "only the fast path accepts: \(a); general: \(b)")
        case (.failure(let a), .success(let b)):
            FuzzCheck.require(false, "only the general path accepts: \(b); fast: \(a)")
        }
    }
}
