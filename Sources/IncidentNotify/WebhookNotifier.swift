import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs a notification to an HTTP endpoint in one of three formats, with `Idempotency-Key` so the receiver
/// can drop a repeat (the window between its 2xx and our record of it, SPEC §7).
///
/// Status rules: 2xx delivered; 408 and 429 retried (429 after its `Retry-After`); any other 4xx is final, as
/// the request itself is wrong; 5xx and transport failures are retried, honouring `Retry-After` when given.
///
/// Redirects are never followed: a 3xx is a failed attempt, retried like a 5xx. Following one would send the
/// body and every configured header (`Authorization`, tokens from `header_files`) to a URL the receiver chose,
/// perhaps on another host. It is retried rather than final because the usual causes (an endpoint moved, a
/// proxy redirecting during maintenance) are mended by fixing the config and reloading, after which the
/// pending retries go out; the fallback still takes over once the attempts run out.
public struct WebhookNotifier: Notifier {
    public let name: String
    let url: String
    let format: PayloadRenderer.Format
    let headers: [(String, String)]
    let routingKey: String?
    let timeout: Duration
    let client: HTTPClient
    let redact: SecretRedactor

    /// The client every webhook uses unless told otherwise: `HTTPClient.shared` follows redirects, and that
    /// is configured per client, not per request. Process-wide and never shut down, like the shared one.
    public static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// `secrets` lists what must never be reported (URL from `url_file`, header values, routing key); the
    /// URL's path, query and user info are added when it is a secret. `client` must not follow redirects.
    public init(
        name: String, url: String, format: PayloadRenderer.Format, headers: [(String, String)],
        routingKey: String?, timeout: Duration, client: HTTPClient = WebhookNotifier.client, secrets: [String]
    ) {
        self.name = name
        self.url = url
        self.format = format
        self.headers = headers
        self.routingKey = routingKey
        self.timeout = timeout
        self.client = client
        var all = secrets
        if secrets.contains(url), let parts = URLComponents(string: url) {
            all += [parts.percentEncodedPath, parts.percentEncodedQuery ?? "", parts.user ?? "", parts.password ?? ""]
        }
        redact = SecretRedactor(all + headers.map(\.1) + [routingKey ?? ""])
    }

    public func body(for request: DeliveryRequest) -> Data {
        switch format {
        case .json: PayloadRenderer.json(request)
        case .slack: PayloadRenderer.slack(request)
        case .pagerduty: PayloadRenderer.pagerDuty(request, routingKey: routingKey ?? "")
        }
    }

    public func deliver(_ request: DeliveryRequest) async -> DeliveryOutcome {
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "User-Agent", value: "incidentd")
        http.headers.add(name: "Idempotency-Key", value: request.idempotencyKey)
        for (name, value) in headers { http.headers.replaceOrAdd(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: body(for: request)))
        let deadline = TimeAmount.nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(http, timeout: deadline)
            let excerpt = try await Self.excerpt(response.body)
            let status = response.status.code
            let said = excerpt.isEmpty ? "" : ": \(redact(excerpt))"
            let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                RetryAfter.parse($0, now: Date())
            }
            switch status {
            case 200..<300:
                return .delivered(detail: "HTTP \(status)\(said)")
            case 300..<400:
                let location = Self.printable(redact(response.headers.first(name: "Location") ?? "(no Location)"))
                return .retry(
                    DeliveryFailure(
                        "http_3xx",
                        "HTTP \(status): redirect to \(location) refused; point the notifier at the final URL"),
                    after: retryAfter)
            case 408, 429:
                let wait = retryAfter.map { " (Retry-After \($0.components.seconds)s)" } ?? ""
                return .retry(DeliveryFailure("http_\(status)", "HTTP \(status)\(wait)\(said)"), after: retryAfter)
            case 400..<500:
                return .final(DeliveryFailure("http_4xx", "HTTP \(status), not retried\(said)"))
            case 500..<600:
                return .retry(DeliveryFailure("http_5xx", "HTTP \(status)\(said)"), after: retryAfter)
            default:
                return .retry(DeliveryFailure("http_other", "unexpected HTTP \(status)\(said)"))
            }
        } catch let error as HTTPClientError
            where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error)
        {
            return .retry(DeliveryFailure("timeout", "no answer within \(timeout)"))
        } catch {
            let text = redact(String(describing: error))
            let reason = text.lowercased().contains("connect") || text.contains("refused") ? "connect" : "io"
            return .retry(DeliveryFailure(reason, "request failed: \(text)"))
        }
    }

    /// The first 512 bytes of a response body, printable: enough to say why a receiver refused, bounded so a
    /// misbehaving one cannot fill the timeline.
    static func excerpt(_ body: HTTPClientResponse.Body) async throws -> String {
        var bytes: [UInt8] = []
        for try await buffer in body {
            bytes += buffer.readableBytesView.prefix(512 - bytes.count)
            if bytes.count >= 512 { break }
        }
        let printable = bytes.map { (32..<127).contains($0) ? $0 : UInt8(ascii: " ") }
        return String(decoding: printable, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// A receiver-chosen value (a `Location`) as one printable line of at most 300 characters.
    static func printable(_ text: String) -> String {
        var clean = ""
        for scalar in text.unicodeScalars {
            clean.unicodeScalars.append((32..<127).contains(scalar.value) ? scalar : " ")
        }
        return clean.count > 300 ? clean.prefix(300) + "…" : clean
    }
}
