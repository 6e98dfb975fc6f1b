import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs a notification to an HTTP endpoint in one of three formats, with `Idempotency-Key` so the receiver
/// can drop a repeat (the window between its 2xx and our record of it, SPEC §7).
///
/// Status rules: 2xx delivered; 408 and 429 retried (429 after its `Retry-After`); any other 4xx is final, as
/// the request itself is wrong; 5xx and transport failures are retried, honouring `Retry-After` when given.
public struct WebhookNotifier: Notifier {
    public let name: String
    let url: String
    let format: PayloadRenderer.Format
    let headers: [(String, String)]
    let routingKey: String?
    let timeout: Duration
    let client: HTTPClient
    let redact: SecretRedactor

    /// `secrets` lists what must never be reported (URL from `url_file`, header values, routing key); the
    /// URL's path, query and user info are added when it is a secret.
    public init(
        name: String, url: String, format: PayloadRenderer.Format, headers: [(String, String)],
        routingKey: String?, timeout: Duration, client: HTTPClient = .shared, secrets: [String]
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
}
