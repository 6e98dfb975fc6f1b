/// An entry of an address list that is not an IP address or CIDR block; the message names the entry.
public struct AddressRangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry as written.
    public var entry: String
    /// What is wrong with it, as the end of a sentence starting with the entry.
    public var reason: String

    public init(entry: String, reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String { "'\(entry)' \(reason)" }
}
