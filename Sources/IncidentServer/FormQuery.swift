import Foundation

/// A query string decoded as Go's `url.ParseQuery` does it, `+` as a space included: amtool and Grafana write
/// `filter=alertname%3D%22Disk+full%22`, and Hummingbird's own decoding keeps the `+`.
struct FormQuery: Sendable {
    var items: [(name: String, value: String)]

    init(_ query: String?) {
        items = (query ?? "").split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (name: decode(parts[0]), value: parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of `name`.
    func get(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order (`filter=` repeats).
    func getAll(_ name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }
}
