/// A failure to report as an HTTP status with a JSON body `{"error": message, "code": code}`.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as the `code` of the error body; each has one HTTP status.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// 400: the request is malformed or a value is not valid.
        case badRequest = "bad_request"
        /// 401: the TCP listener wants `Authorization: Bearer TOKEN`.
        case unauthorized
        /// 403: a TCP request a browser may have been tricked into (foreign `Host`, cross-origin).
        case forbidden
        /// 404: no such incident or route.
        case notFound = "not_found"
        /// 409: the transition is not allowed from the incident's state.
        case conflict
        /// 413: the body is larger than `limits.max_payload_bytes`.
        case payloadTooLarge = "payload_too_large"
        /// 503: stopping, or the store is failing; retry later.
        case unavailable
        /// 500: a failure of the daemon itself.
        case `internal`

        /// The HTTP status code.
        public var status: Int {
            switch self {
            case .badRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .conflict: 409
            case .payloadTooLarge: 413
            case .unavailable: 503
            case .internal: 500
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
