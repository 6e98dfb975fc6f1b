/// The payload shapes incidentd accepts (SPEC §4).
public enum PayloadFormat: String, Sendable, CaseIterable {
    /// Alertmanager webhook, `"version": "4"` with `alerts[]`.
    case alertmanager
    /// PagerDuty Events API v2 (`event_action`, `routing_key`, `payload`).
    case pagerduty
    /// Grafana alerting webhook (`alerts[]` plus `orgId`/`state`).
    case grafana
    /// One alert object or an array of them in Alertmanager API v2 form; also a socket line.
    case generic
    /// A journal entry as `journalctl -o json` prints it.
    case journal
}

/// Why a payload was refused; says what and where, so the sender can fix it.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
