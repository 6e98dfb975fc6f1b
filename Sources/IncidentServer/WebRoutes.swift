import Foundation
import HTTPTypes
import Hummingbird
import IncidentAccess
import IncidentCore
import IncidentWeb
import NIOCore
import ServiceLifecycle

/// The web console, portal, status page and knowledge base (SPEC §14), on the same listeners as the API: HTML
/// rendered here, forms for every action, sessions in HttpOnly SameSite=Strict cookies, a CSRF token on every
/// form, and the acting person's name on every change.
struct WebRoutes: Sendable {
    let api: any IncidentAPI
    let pages: WebPages
    let access: WebAccess
    let feed: ChangeFeed
    let now: @Sendable () -> Timestamp

    static let sessionCookie = "incidentd_session"
    static let loginCookie = "incidentd_login"
    /// The largest form accepted (an article's body is the largest field).
    static let maxFormBytes = 400_000

    /// Who a page is for.
    enum Audience {
        /// Anyone when the status page is public; else signed in.
        case status
        /// Any signed-in person, reporters included (the portal).
        case signedIn
        /// Viewers, operators, admin.
        case console
        /// Operators and admin: every form that changes something.
        case operators
    }

    /// A page's work: the request, the person (nil only on public pages), and the form (a POST's body, else
    /// the query string), already read.
    typealias Handler = @Sendable (Request, APIRequestContext, WebIdentity?, FormQuery) async throws -> Response

    func add(to router: Router<APIRequestContext>) {
        router.get("/assets/{name}") { _, context in
            guard let asset = WebAssets.asset(named: context.parameters.get("name") ?? "") else {
                return Self.text("no such asset\n", status: .notFound)
            }
            var headers = Self.securityHeaders
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
        }
        addSignIn(to: router)
        addConsole(to: router)
        addOperations(to: router)
        addPublic(to: router)
        addInsight(to: router)
        // Any other page: a page that says so, not the API's 401 (the API's own paths keep their JSON answers).
        on(router, .get, "**", .status) { request, _, identity, _ in
            let path = request.uri.path
            if path.hasPrefix("/api/") || path == "/metrics" {
                throw APIError(.notFound, "no route \(path)")
            }
            return errorPage(
                identity, status: .notFound, heading: "Not found", message: "There is no page at this address.")
        }
    }

    /// Registers a page: resolves the identity, enforces the audience (and CSRF on POST), renders API errors as
    /// pages, and sets the cookie of a session made on the way.
    func on(
        _ router: Router<APIRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ audience: Audience,
        _ handler: @escaping Handler
    ) {
        router.on(path, method: method) { (request: Request, context: APIRequestContext) -> Response in
            let identity = identify(request, context)
            var response: Response
            do {
                if let refusal = refuse(request, identity: identity, audience: audience) {
                    response = refusal
                } else {
                    let form = method == .post ? try await form(request) : FormQuery(request.uri.query)
                    if method == .post, let identity, identity.origin != .controlSocket {
                        guard let token = form.get("_csrf"), constantTimeEquals(token, identity.csrf) else {
                            return errorPage(
                                identity, status: .forbidden, heading: "The form expired",
                                message: "Reload the page and try again (the form's security token did not match).")
                        }
                    }
                    response = try await handler(request, context, identity, form)
                }
            } catch let error as APIError {
                response = errorPage(
                    identity, status: HTTPResponse.Status(code: error.code.status),
                    heading: Self.heading(error.code.status),
                    message: error.message)
            }
            if let token = identity?.newSessionToken { Self.setCookie(&response, Self.sessionCookie, token) }
            return response
        }
    }

    /// The person behind a request: admin on the control socket; the proxy's header from a trusted proxy; else
    /// the session cookie, when its account still exists with the same role.
    func identify(_ request: Request, _ context: APIRequestContext) -> WebIdentity? {
        if context.viaControlSocket {
            return WebIdentity(name: "admin", role: .admin, csrf: "", origin: .controlSocket)
        }
        let cookie = request.cookies[Self.sessionCookie]?.value
        if let header = access.trustedHeader, let address = context.remoteAddress,
            access.trustedProxies.contains(address), let field = HTTPField.Name(header),
            let name = request.headers[field]?.trimmingCharacters(in: .whitespaces), UserAccount.isValidName(name)
        {
            let role = access.users.account(named: name)?.role ?? .viewer
            if let cookie, let session = access.sessions.session(token: cookie), session.user == name,
                session.role == role
            {
                return WebIdentity(name: name, role: role, csrf: session.csrfToken, origin: .proxy)
            }
            let session = access.sessions.create(user: name, role: role)
            return WebIdentity(
                name: name, role: role, csrf: session.csrfToken, origin: .proxy, newSessionToken: session.token)
        }
        guard let cookie, let session = access.sessions.session(token: cookie) else { return nil }
        guard access.users.account(named: session.user)?.role == session.role else {
            access.sessions.end(token: cookie)
            return nil
        }
        return WebIdentity(name: session.user, role: session.role, csrf: session.csrfToken, origin: .session)
    }

    /// Nil when `identity` may see the page; else the answer: sign in first, or 403.
    func refuse(_ request: Request, identity: WebIdentity?, audience: Audience) -> Response? {
        guard let identity else {
            if audience == .status && access.statusPublic { return nil }
            if request.method == .get {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Self.redirect("/login?next=" + SafeLink.queryValue(next))
            }
            return errorPage(
                nil, status: .unauthorized, heading: "Sign in first", message: "Your session ended. Sign in again.")
        }
        let allowed: Bool
        switch audience {
        case .status, .signedIn: allowed = true
        case .console: allowed = identity.readsConsole
        case .operators: allowed = identity.acts
        }
        if allowed { return nil }
        return errorPage(
            identity, status: .forbidden, heading: "Not allowed",
            message:
                "Your role (\(identity.role.rawValue)) cannot \(audience == .operators ? "change this" : "see this page")."
        )
    }

    /// The chrome of a page for `identity`.
    func chrome(
        _ identity: WebIdentity?, title: String, section: PageChrome.Section, flash: String? = nil,
        error: String? = nil, live: Bool = false
    ) -> PageChrome {
        PageChrome(
            title: title, section: section,
            person: identity.map {
                .init(name: $0.name, role: $0.role.rawValue, canSignOut: $0.origin == .session)
            }, csrf: identity?.csrf ?? "", flash: flash, error: error, live: live, statusPublic: access.statusPublic)
    }

    func errorPage(_ identity: WebIdentity?, status: HTTPResponse.Status, heading: String, message: String) -> Response
    {
        Self.html(
            pages.error(chrome(identity, title: heading, section: .incidents), heading: heading, message: message),
            status: status)
    }

    static func heading(_ status: Int) -> String {
        switch status {
        case 400: "That did not work"
        case 404: "Not found"
        case 409: "Not possible now"
        case 413: "Too large"
        case 503: "Not available right now"
        default: "Something went wrong"
        }
    }

    // MARK: Requests and responses

    /// The urlencoded form of a POST, bounded by `maxFormBytes`.
    func form(_ request: Request) async throws -> FormQuery {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.badRequest, "forms are sent as application/x-www-form-urlencoded")
        }
        do {
            let buffer = try await request.body.collect(upTo: Self.maxFormBytes)
            return FormQuery(String(buffer: buffer))
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the form is larger than \(Self.maxFormBytes) bytes")
        }
    }

    /// Headers every page carries: no framing, no inline script or style, no sniffing, no referrer to other
    /// sites, no caching of private pages.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: after a form, the browser GETs the result (reload does not post again).
    static func redirect(_ location: String) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// Sets (or, with an empty value, clears) an HttpOnly, SameSite=Strict cookie for the whole site.
    static func setCookie(_ response: inout Response, _ name: String, _ value: String, path: String = "/") {
        let expiry = value.isEmpty ? "; Max-Age=0" : ""
        response.headers.append(
            HTTPField(name: .setCookie, value: "\(name)=\(value); Path=\(path); HttpOnly; SameSite=Strict\(expiry)"))
    }

    /// A path on this site to go to after signing in: a local absolute path, never `//host` or a scheme.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.hasPrefix("/\\"), text.count <= 2000,
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return text
    }
}
