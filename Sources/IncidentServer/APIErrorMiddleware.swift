import Hummingbird
import IncidentCore
import Logging
import NIOCore

/// Turns every failure into `{"error": message, "code": code}` with the status of its code, so a client never
/// has to parse an HTML page or an empty body.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, request: request)
            if apiError.code == .internal {
                context.logger.error(
                    "request failed",
                    metadata: [
                        "method": "\(request.method)", "path": "\(request.uri.path)",
                        "error": "\(String(reflecting: error))",
                    ])
            }
            var headers: HTTPFields = [:]
            if apiError.code == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"incidentd\"" }
            return try JSONResponse.make(
                ErrorBody(error: apiError.message, code: apiError.code.rawValue),
                status: .init(code: apiError.code.status), headers: headers)
        }
    }

    /// The API error a thrown error stands for.
    static func apiError(for error: any Error, request: Request) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as IngestError:
            switch error.code {
            case .invalid: return APIError(.badRequest, error.message)
            case .shuttingDown, .storeFailed: return APIError(.unavailable, "\(error.message) (\(error.code.rawValue))")
            }
        case let error as DecodingError:
            return APIError(.badRequest, "the JSON body is not usable: \(Self.describe(error))")
        case is NIOTooManyBytesError:
            return APIError(.payloadTooLarge, "the body is larger than limits.max_payload_bytes")
        case let error as HTTPError where error.status == .notFound:
            return APIError(
                .notFound, "no route \(request.method) \(request.uri.path); the routes are listed in docs/API.md")
        case let error as HTTPError:
            let code = APIError.Code.allCases.first { $0.status == error.status.code } ?? .internal
            return APIError(code, error.body ?? error.status.reasonPhrase)
        default:
            return APIError(.internal, "internal error: \(error)")
        }
    }

    /// A decoding error as a person reads it: where in the body, and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty
                ? "the body"
                : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                    .joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(Self.jsonType(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(Self.jsonType(type)), not null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "it is not valid JSON" }
            return context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type, is Int64.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String: String].Type: "an object of strings"
        default: "\(type)"
        }
    }
}
