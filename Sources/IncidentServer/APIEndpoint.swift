/// Where the API is being served, as reported once a listener is bound.
public enum APIEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The control Unix socket (`http.control_socket`), bound and with its mode set.
    case controlSocket(path: String)
    /// The TCP listener (`http.listen`), with the port actually bound (useful when port 0 was asked for).
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case .controlSocket(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
