#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IP address or a CIDR block (`10.0.0.0/8`, `::1`, `fd00::/8`), as `http.auth.trusted_proxies` lists them.
///
/// Written as literals only, never names: a name can resolve to another address than the one meant, and the
/// list decides whose `X-Remote-User` header is believed. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the IPv4
/// address, on both sides: a dual-stack listener reports IPv4 clients that way.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network's bytes: 4 for IPv4, 16 for IPv6, host bits zero.
    public let network: [UInt8]
    /// How many leading bits an address must share with `network`.
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`. A block with host bits set (`10.0.0.1/8`) is refused as a likely typo.
    public init(parsing text: String) throws(AddressRangeError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard var bytes = Self.addressBytes(String(parts[0]), mapping: false) else {
            throw AddressRangeError(
                entry: text,
                reason: "is not an IP address or CIDR block (10.0.0.0/8, ::1, fd00::/8); host names are not accepted")
        }
        var length = bytes.count * 8
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(digits), value <= length
            else {
                throw AddressRangeError(entry: text, reason: "has a prefix length that is not 0 to \(length)")
            }
            length = value
        }
        if bytes.count == 16, Self.isMapped(bytes), length >= 96 {
            bytes = Array(bytes[12...])
            length -= 96
        }
        guard Self.masked(bytes, length) == bytes else {
            let suggestion = AddressRange(network: Self.masked(bytes, length), prefixLength: length)
            throw AddressRangeError(entry: text, reason: "has host bits set; did you mean \(suggestion)?")
        }
        self.init(network: bytes, prefixLength: length)
    }

    init(network: [UInt8], prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Whether `address` (an IP literal such as `127.0.0.1`, `::1` or `::ffff:127.0.0.1`) lies in this range.
    /// Anything that is not an IP literal lies in no range.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.addressBytes(address, mapping: true) else { return false }
        return contains(bytes: bytes)
    }

    /// Whether the address bytes (4 or 16, IPv4-mapped IPv6 already made IPv4) lie in this range.
    public func contains(bytes: [UInt8]) -> Bool {
        bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    public var description: String {
        let text: String
        if network.count == 4 {
            text = network.map(String.init).joined(separator: ".")
        } else {
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: network) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return prefixLength == network.count * 8 ? text : "\(text)/\(prefixLength)"
    }

    /// The bytes of an IP literal, 4 or 16; with `mapping`, IPv4-mapped IPv6 becomes its 4 IPv4 bytes. A zone
    /// (`fe80::1%eth0`) is dropped when mapping (an address as a peer reports it), refused otherwise.
    public static func addressBytes(_ text: String, mapping: Bool) -> [UInt8]? {
        var literal = Substring(text)
        if mapping, let percent = literal.firstIndex(of: "%") { literal = literal[..<percent] }
        guard !literal.isEmpty, literal.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(literal), &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(literal), &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        return mapping && isMapped(bytes) ? Array(bytes[12...]) : bytes
    }

    static func isMapped(_ bytes: [UInt8]) -> Bool {
        bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }

    static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(max(length - index * 8, 0), 8)
            return bits == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }
}
