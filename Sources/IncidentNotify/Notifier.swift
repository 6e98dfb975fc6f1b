/// Sends one notification somewhere. Implementations never throw: every failure is an outcome the delivery
/// service records, retries or hands to a fallback.
public protocol Notifier: Sendable {
    /// The name in the config's `notifiers:` list.
    var name: String { get }
    func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome
}
