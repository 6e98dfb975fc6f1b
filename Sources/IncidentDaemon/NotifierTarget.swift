import IncidentNotify

/// A configured notifier with what the delivery service needs around it: its retry policy and fallback.
struct NotifierTarget: Sendable {
    var notifier: any Notifier
    var retry: RetryPolicy
    var fallback: String?
    /// At most this many of its rows are in flight at once: a slow receiver holds its own slots, not others'.
    var concurrency: Int = 4
}
