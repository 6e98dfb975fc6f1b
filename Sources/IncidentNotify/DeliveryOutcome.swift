/// What a notifier says about one attempt; the delivery service turns it into an outbox settlement.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The receiver accepted the message; `detail` goes to the timeline (status, exit code, captured output).
    case delivered(detail: String)
    /// A failure worth another attempt; `after` is the receiver's own `Retry-After`, when it gave one.
    case retry(DeliveryFailure, after: Duration? = nil)
    /// A failure another attempt cannot mend (a 4xx other than 408/429): the row goes to its fallback at once.
    case final(DeliveryFailure)
}

/// Why an attempt failed: a short `reason` for the metrics label and a `message` for the timeline and log.
/// Both are free of secrets: notifiers pass what they report through their `SecretRedactor`.
public struct DeliveryFailure: Sendable, Hashable, CustomStringConvertible {
    /// A fixed code, low-cardinality: `http_5xx`, `http_4xx`, `http_3xx`, `http_429`, `http_408`, `timeout`, `connect`,
    /// `exit_status`, `killed`, `spawn`, `io`, `journal`, `unknown_notifier`.
    public var reason: String
    public var message: String

    public init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
