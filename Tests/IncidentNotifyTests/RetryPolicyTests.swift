import Foundation
import Testing

@testable import IncidentNotify

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesFromOneSecondToFiveMinutes() {
        let policy = RetryPolicy()
        let delays = (1...12).map { policy.delay(afterAttempt: $0, unit: 0) }
        #expect(Array(delays.prefix(9)) == [1, 2, 4, 8, 16, 32, 64, 128, 256].map { Duration.seconds($0) })
        #expect(delays.dropFirst(9).allSatisfy { $0 == .seconds(300) })
        #expect(policy.maxAttempts == 24)
        #expect(policy.allowsAnother(after: 23) && !policy.allowsAnother(after: 24))
    }

    @Test func jitterShortensByAtMostAFifth() {
        let policy = RetryPolicy(initial: .seconds(10))
        #expect(policy.delay(afterAttempt: 1, unit: 1) == .seconds(8))
        #expect(policy.delay(afterAttempt: 1, unit: 0.5) == .seconds(9))
    }

    @Test func retryAfterIsHonouredButBounded() {
        let policy = RetryPolicy(initial: .milliseconds(100), maxRetryAfter: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), unit: 0) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(86_400), unit: 0) == .seconds(60))
        // A Retry-After shorter than the backoff does not make the retry earlier.
        #expect(policy.delay(afterAttempt: 5, retryAfter: .zero, unit: 0) == .milliseconds(1600))
    }

    @Test(arguments: [("7", 7_000), ("0", 0), (" 12 ", 12_000), ("soon", -1), ("-3", -1), ("", -1)])
    func retryAfterHeaderValues(_ value: String, _ milliseconds: Int64) {
        let parsed = RetryAfter.parse(value, now: Date())
        #expect(parsed == (milliseconds < 0 ? nil : .milliseconds(milliseconds)))
    }

    @Test func retryAfterAsAnHTTPDate() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        let parsed = try #require(RetryAfter.parse("Tue, 14 Nov 2023 22:13:50 GMT", now: now))
        #expect(parsed == .seconds(30))
    }

    @Test func redactorHidesEverySecretOccurrence() {
        let redact = SecretRedactor(["s3cr3t-token", "hooks/T000/B000/XXXX", "ab"])
        let text = redact("POST https://example/hooks/T000/B000/XXXX failed; Bearer s3cr3t-token; ab stays")
        #expect(text == "POST https://example/[secret] failed; Bearer [secret]; ab stays")
    }
}
