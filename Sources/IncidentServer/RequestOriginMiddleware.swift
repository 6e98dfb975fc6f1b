import Hummingbird
import IncidentCore

/// Refuses TCP requests that a web browser could have been tricked into sending: a `Host` that is a name
/// nobody configured (DNS rebinding: a hostile page's name resolving to 127.0.0.1 makes the browser treat this
/// listener as that page's own origin), and cross-origin requests (`Origin` of another site, or
/// `Sec-Fetch-Site: cross-site`), which a plain `text/plain` form POST can be.
///
/// The control socket is left alone: no browser reaches a Unix socket.
struct RequestOriginMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    /// Names besides IP literals that `Host` may carry, lower-cased, without port: `localhost` on a loopback
    /// listener, and `http.allowed_hosts`.
    let allowedNames: Set<String>

    init(allowedNames: some Sequence<String>) {
        self.allowedNames = Set(allowedNames.map { $0.lowercased() })
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if context.viaControlSocket { return try await next(request, context) }
        let host = request.head.authority ?? ""
        guard let hostName = Self.hostName(host), IPLiteral.isValid(hostName) || allowedNames.contains(hostName)
        else {
            throw APIError(
                .forbidden,
                "Host \(Self.excerpt(host)) is not this listener's address; use its IP address, or add the name to http.allowed_hosts"
            )
        }
        if request.headers.first(where: { $0.name.canonicalName == "sec-fetch-site" })?.value.lowercased()
            == "cross-site"
        {
            throw APIError(.forbidden, "cross-site request refused")
        }
        if let origin = request.headers[.origin] {
            // Same origin only: the scheme's `//` and then exactly the Host the request was sent to.
            guard let slashes = origin.range(of: "://"), origin[slashes.upperBound...].lowercased() == host.lowercased()
            else {
                throw APIError(.forbidden, "cross-origin request from \(Self.excerpt(origin)) refused")
            }
        }
        return try await next(request, context)
    }

    /// The host part of a `Host` header (`127.0.0.1:9097`, `[::1]:9097`, `localhost`), lower-cased; nil when it
    /// is malformed.
    static func hostName(_ authority: String) -> String? {
        var text = Substring(authority.lowercased())
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isASCIIDigit)) else {
                return nil
            }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if let colon = text.lastIndex(of: ":") {
            guard text[text.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
            text = text[..<colon]
        }
        return text.isEmpty ? nil : String(text)
    }

    static func excerpt(_ text: String) -> String {
        text.count <= 64 ? "'\(text)'" : "'\(text.prefix(64))...'"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
