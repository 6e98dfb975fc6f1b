import IncidentCore

/// The reverse proxies whose identity header (`http.auth.trusted_header`) is believed: IP addresses and CIDR
/// blocks. A request from anywhere else that carries the header is treated as having none.
public struct TrustedProxies: Sendable, Hashable {
    public let ranges: [AddressRange]

    /// Parses `10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`; host names are refused (no DNS is ever asked).
    public init(_ entries: [String]) throws(AddressRangeError) {
        var ranges: [AddressRange] = []
        for entry in entries { ranges.append(try AddressRange(parsing: entry)) }
        self.ranges = ranges
    }

    /// Whether the peer `address` (`127.0.0.1`, `::1`; `::ffff:127.0.0.1` is the IPv4 address) is a trusted proxy.
    public func contains(_ address: String) -> Bool {
        guard let bytes = AddressRange.addressBytes(address, mapping: true) else { return false }
        return ranges.contains { $0.contains(bytes: bytes) }
    }
}
