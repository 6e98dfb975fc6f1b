#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// IP address literals, as `inet_pton` reads them: the config's `http.listen` and the API's `Host` check take
/// these and never names, since a name can resolve to another address than the one meant.
public enum IPLiteral {
    /// Whether `text` is an IPv4 dotted quad or an IPv6 address (no brackets, no port, no name).
    public static func isValid(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
