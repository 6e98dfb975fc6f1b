import Foundation

/// Replaces secret values (URLs and header values read from files, routing keys) in any text a notifier
/// reports, so error messages from HTTP or process layers cannot carry them into logs, timeline or metrics.
public struct SecretRedactor: Sendable {
    private let secrets: [String]

    /// Secrets shorter than 4 characters are ignored: redacting "a" would shred every message.
    public init(_ secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    public func callAsFunction(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[secret]")
        }
        return out
    }
}
