import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on the TCP listener for every route but `/healthz`. The control
/// socket needs none: its file mode (0660) decides who may connect.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    /// `Bearer TOKEN` as bytes, compared in constant time.
    let expected: [UInt8]

    init(token: String) {
        expected = Array("Bearer \(token)".utf8)
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if context.viaControlSocket || request.uri.path == "/healthz" {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], Self.matches(header, expected) else {
            throw APIError(
                .unauthorized,
                "missing or wrong bearer token: send 'Authorization: Bearer TOKEN' with the token of http.token_file"
            )
        }
        return try await next(request, context)
    }

    /// Compares the header with the expected value without stopping at the first difference, so the time taken
    /// does not tell how much of a guess was right. The scheme name is case-insensitive (RFC 7235).
    static func matches(_ header: String, _ expected: [UInt8]) -> Bool {
        var given = Array(header.utf8)
        if given.count >= 7, String(decoding: given[0..<7], as: UTF8.self).lowercased() == "bearer " {
            given.replaceSubrange(0..<7, with: "Bearer ".utf8)
        }
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for i in 0..<max(given.count, expected.count) {
            let a = i < given.count ? given[i] : 0
            let b = i < expected.count ? expected[i] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
