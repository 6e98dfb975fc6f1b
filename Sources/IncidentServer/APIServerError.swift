/// Why the API server cannot start; the message names the setting to change.
public struct APIServerError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// `http.listen` is not `HOST:PORT`.
        case badListenAddress = "bad_listen_address"
        /// `http.listen` is not a loopback address and there is no token.
        case tokenRequired = "token_required"
        /// Another process answers on the control socket path.
        case socketInUse = "socket_in_use"
        /// Something that is not a socket is at the control socket path.
        case socketPathTaken = "socket_path_taken"
        /// The listener could not be bound (address in use, permission, missing directory).
        case bindFailed = "bind_failed"
        /// The web pages' templates or access settings could not be prepared.
        case webPages = "web_pages"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
