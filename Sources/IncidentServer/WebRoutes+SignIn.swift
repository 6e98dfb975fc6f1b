import HTTPTypes
import Hummingbird
import IncidentAccess
import IncidentCore
import IncidentWeb

extension WebRoutes {
    /// Signing in and out. The sign-in form has no session yet, so its CSRF token is a random value in a cookie
    /// of its own that the form must repeat (double submit); failed attempts are throttled per name and address.
    func addSignIn(to router: Router<APIRequestContext>) {
        router.get("/login") { request, context in
            let query = FormQuery(request.uri.query)
            let next = Self.localPath(query.get("next")) ?? ""
            if let identity = identify(request, context) {
                return Self.redirect(next.isEmpty ? (identity.readsConsole ? "/" : "/portal") : next)
            }
            return loginPage(next: next, userName: "", error: nil, status: .ok)
        }
        router.post("/login") { request, context in
            let form = try await form(request)
            let next = Self.localPath(form.get("next")) ?? ""
            let name = (form.get("user") ?? "").trimmingCharacters(in: .whitespaces)
            guard let cookie = request.cookies[Self.loginCookie]?.value, let token = form.get("_csrf"),
                constantTimeEquals(cookie, token)
            else {
                return loginPage(
                    next: next, userName: name, error: "The sign-in form expired. Try again.", status: .forbidden)
            }
            let address = context.remoteAddress ?? "local"
            if let wait = access.throttle.retryAfter(user: name, address: address) {
                var response = loginPage(
                    next: next, userName: name,
                    error: "Too many failed attempts. Try again in \(DurationText.format(Self.roundedUp(wait))).",
                    status: .tooManyRequests)
                response.headers[.retryAfter] = "\(max(1, wait.components.seconds))"
                return response
            }
            guard UserAccount.isValidName(name),
                let account = access.users.authenticate(name: name, password: form.get("password") ?? "")
            else {
                access.throttle.recordFailure(user: name, address: address)
                return loginPage(
                    next: next, userName: name, error: "Wrong user name or password.", status: .unauthorized)
            }
            access.throttle.recordSuccess(user: name, address: address)
            let session = access.sessions.create(user: account.name, role: account.role)
            let home = account.role == .reporter ? "/portal" : "/"
            var response = Self.redirect(next.isEmpty ? home : next)
            Self.setCookie(&response, Self.sessionCookie, session.token)
            Self.setCookie(&response, Self.loginCookie, "", path: "/login")
            return response
        }
        on(router, .post, "/logout", .signedIn) { request, _, _, _ in
            if let cookie = request.cookies[Self.sessionCookie]?.value { access.sessions.end(token: cookie) }
            var response = Self.redirect("/login")
            Self.setCookie(&response, Self.sessionCookie, "")
            return response
        }
    }

    /// The sign-in page with a fresh form token in its cookie.
    func loginPage(next: String, userName: String, error: String?, status: HTTPResponse.Status) -> Response {
        let token = SessionStore.randomToken()
        var chrome = chrome(nil, title: "Sign in", section: .login, error: error)
        chrome.csrf = token
        var response = Self.html(pages.login(chrome, next: next, userName: userName), status: status)
        Self.setCookie(&response, Self.loginCookie, token, path: "/login")
        return response
    }

    static func roundedUp(_ duration: Duration) -> Duration {
        .seconds(max(1, duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0)))
    }
}
