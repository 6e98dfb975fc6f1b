import Hummingbird
import NIOCore

/// The request context of every route: knows whether the request came over the control socket, whose file
/// mode is its protection, or over TCP, where a configured token is required.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// True for the control Unix socket. Anything else, including a channel whose address is unknown, counts
    /// as TCP, so a doubt fails closed.
    let viaControlSocket: Bool
    /// The peer's IP address on TCP (`127.0.0.1`, `::1`), for the trusted reverse proxies and the login
    /// throttle; nil on the control socket.
    let remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        if case .unixDomainSocket = source.channel.localAddress {
            viaControlSocket = true
        } else {
            viaControlSocket = false
        }
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
