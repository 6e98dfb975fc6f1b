import Foundation
import IncidentCore
import TestSupport
import Testing

@testable import IncidentNotify

/// The webhook notifier against a real HTTP server (`Tests/Support/http-receiver.py`).
@Suite(.serialized) struct WebhookNotifierTests {
    func notifier(
        _ url: String, format: PayloadRenderer.Format = .json, headers: [(String, String)] = [],
        timeout: Duration = .seconds(5), secrets: [String] = []
    ) -> WebhookNotifier {
        WebhookNotifier(
            name: "oncall", url: url, format: format, headers: headers, routingKey: "R0UTING-KEY-1",
            timeout: timeout, secrets: secrets)
    }

    @Test func aTwoHundredIsDeliveredWithTheKeyAndHeaders() async throws {
        let receiver = try await Receiver()
        let outcome = await notifier(receiver.url("/ok"), headers: [("X-Team", "ops")]).deliver(sampleRequest())
        #expect(outcome == .delivered(detail: "HTTP 200: accepted"))
        let request = try #require(receiver.requests().first)
        #expect(request.key == "INC-7/1/0")
        #expect(request.headers["x-team"] == "ops")
        #expect(request.headers["content-type"] == "application/json")
        #expect(receiver.rawLog().contains("\"id\": \"INC-7\""))
    }

    @Test(arguments: [
        ("/fail", "http_5xx", false), ("/bad/400", "http_4xx", true), ("/bad/404", "http_4xx", true),
        ("/bad/408", "http_408", false), ("/ratelimit/1/7", "http_429", false), ("/garbage", "http_5xx", false),
    ])
    func statusCodesAreClassified(_ path: String, _ reason: String, _ final: Bool) async throws {
        let receiver = try await Receiver()
        let outcome = await notifier(receiver.url(path)).deliver(sampleRequest())
        switch outcome {
        case .final(let failure):
            #expect(final)
            #expect(failure.reason == reason)
        case .retry(let failure, let after):
            #expect(!final)
            #expect(failure.reason == reason)
            #expect(after == (path.hasPrefix("/ratelimit") ? .seconds(7) : nil))
        case .delivered:
            Issue.record("\(path) was delivered")
        }
    }

    @Test func garbageFromTheReceiverIsReportedPrintably() async throws {
        let receiver = try await Receiver()
        guard case .retry(let failure, _) = await notifier(receiver.url("/garbage")).deliver(sampleRequest()) else {
            Issue.record("not retried")
            return
        }
        #expect(failure.message.hasPrefix("HTTP 502: "))
        #expect(failure.message.contains("junk"))
        #expect(failure.message.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 })
    }

    @Test func aStalledReceiverTimesOut() async throws {
        let receiver = try await Receiver()
        // The receiver answers 200 after a minute, so a delivered outcome, or one that took anywhere near that
        // long, means the 300 ms timeout did not fire. The bound leaves room for a loaded machine: CI once took
        // 3.1 s for the whole exchange (process start, connect, timeout) against an earlier bound of 3 s.
        let started = ContinuousClock.now
        let outcome = await notifier(receiver.url("/stall/60"), timeout: .milliseconds(300)).deliver(sampleRequest())
        #expect(ContinuousClock.now - started < .seconds(10))
        guard case .retry(let failure, nil) = outcome else {
            Issue.record("a stall gave \(outcome)")
            return
        }
        #expect(failure.reason == "timeout")
    }

    @Test func aDeadReceiverIsRetriedAndItsSecretURLIsNotReported() async throws {
        let receiver = try await Receiver()
        let url = receiver.url("/hooks/T0001/B0001/SuperSecretPathToken?token=QueryTokenValue42")
        receiver.kill()
        let outcome = await notifier(url, headers: [("Authorization", "Bearer HeaderSecret99")], secrets: [url])
            .deliver(sampleRequest())
        guard case .retry(let failure, _) = outcome else {
            Issue.record("a dead receiver gave \(outcome)")
            return
        }
        #expect(failure.reason == "connect")
        for secret in ["SuperSecretPathToken", "QueryTokenValue42", "HeaderSecret99"] {
            #expect(!failure.message.contains(secret))
        }
    }

    /// A redirect is not followed: following it would send the body, the `Authorization` header and the other
    /// secret headers to wherever the receiver points (a 307 keeps the POST, a 302 turns it into a GET).
    @Test(arguments: [301, 302, 303, 307, 308])
    func aRedirectIsRefusedAndItsTargetReceivesNothing(_ code: Int) async throws {
        let target = try await Receiver()
        let receiver = try await Receiver()
        let elsewhere = target.url("/ok")
        let query = elsewhere.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let outcome = await notifier(
            receiver.url("/redirect/\(code)?to=\(query)"), headers: [("Authorization", "Bearer HeaderSecret99")]
        ).deliver(sampleRequest())
        // The redirect, if followed, is followed before `deliver` returns: the target's log is final here.
        #expect(target.requests().isEmpty, "the redirect was followed")
        #expect(receiver.requests().count == 1)
        guard case .retry(let failure, nil) = outcome else {
            Issue.record("a \(code) gave \(outcome)")
            return
        }
        #expect(failure.reason == "http_3xx")
        #expect(failure.message.contains("redirect to \(elsewhere) refused"))
        #expect(failure.message.contains("point the notifier at the final URL"))
    }

    /// A hostile Location is reported bounded, printable, and without the notifier's secrets.
    @Test func aRedirectsLocationIsReportedSafely() async throws {
        let receiver = try await Receiver()
        let secretURL = receiver.url("/hooks/SuperSecretPathToken")
        let location = secretURL + "/" + String(repeating: "x", count: 5000) + "%0D%0AX-Evil:%201"
        let query = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let outcome = await notifier(receiver.url("/redirect/302?to=\(query)"), secrets: [secretURL])
            .deliver(sampleRequest())
        guard case .retry(let failure, _) = outcome else {
            Issue.record("a 302 gave \(outcome)")
            return
        }
        #expect(!failure.message.contains("SuperSecretPathToken"))
        #expect(failure.message.count < 1200)
        #expect(failure.message.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 || $0.value == 0x2026 })
    }

    @Test func slackAndPagerDutyBodiesReachTheReceiver() async throws {
        let receiver = try await Receiver()
        _ = await notifier(receiver.url("/ok"), format: .slack).deliver(sampleRequest())
        _ = await notifier(receiver.url("/ok"), format: .pagerduty).deliver(sampleRequest(moment: "ack"))
        let log = receiver.rawLog()
        #expect(log.contains("\"blocks\""))
        #expect(log.contains("\"event_action\": \"acknowledge\""))
        #expect(log.contains("\"dedup_key\": \"INC-7\""))
    }
}
