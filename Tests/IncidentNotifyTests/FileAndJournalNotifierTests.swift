import Foundation
import IncidentCore
import TestSupport
import Testing

@testable import IncidentNotify

@Suite struct FileAndJournalNotifierTests {
    @Test func theFileNotifierAppendsOneJSONLinePerMessage() async throws {
        let path = try temporaryDirectory().appendingPathComponent("pages.jsonl").path
        let notifier = FileNotifier(name: "archive", path: path)
        #expect(await notifier.deliver(sampleRequest()) == .delivered(detail: "appended to \(path)"))
        #expect(await notifier.deliver(sampleRequest(moment: "resolve")) == .delivered(detail: "appended to \(path)"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let keys = try lines.map { try json(Data($0.utf8))["notification"] as? [String: Any] }.map {
            $0?["idempotency_key"] as? String
        }
        #expect(keys.first == "INC-7/1/0")
        #expect(keys.last??.hasPrefix("INC-7/resolve/") == true)
    }

    @Test func concurrentPagesToOneFileEachLandOnceAndWhole() async throws {
        let path = try temporaryDirectory().appendingPathComponent("pages.jsonl").path
        let notifiers = [FileNotifier(name: "oncall", path: path), FileNotifier(name: "archive", path: path)]
        let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
            for i in 0..<200 {
                group.addTask { await notifiers[i % 2].deliver(sampleRequest(moment: "page\(i)")) }
            }
            return await group.reduce(into: [DeliveryOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0 == .delivered(detail: "appended to \(path)") })
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let keys = try lines.map { line -> String in
            let notification = try json(Data(line.utf8))["notification"] as? [String: Any]
            return notification?["idempotency_key"] as? String ?? ""
        }
        #expect(keys.count == 200)
        // Every page's line once, whole (each parsed as JSON above).
        #expect(Set(keys.map { $0.split(separator: "/")[1] }) == Set((0..<200).map { "page\($0)" }))
    }

    @Test func anUnwritableFileIsRetriedWithTheReason() async throws {
        let outcome = await FileNotifier(name: "archive", path: "/nonexistent/dir/pages.jsonl")
            .deliver(sampleRequest())
        #expect(
            outcome
                == .retry(DeliveryFailure("io", "cannot open /nonexistent/dir/pages.jsonl: No such file or directory")))
    }

    @Test func theJournalEntryHasAFixedMessageIDAndTheIncidentFields() {
        let fields = Dictionary(JournalNotifier.fields(for: sampleRequest()), uniquingKeysWith: { a, _ in a })
        #expect(fields["MESSAGE_ID"] == JournalNotifier.messageID)
        #expect(fields["MESSAGE"] == "[P1] INC-7 escalated: Host web1 down (policy 'default' step 1 round 0)")
        #expect(fields["PRIORITY"] == "2")
        #expect(fields["INCIDENT_ID"] == "INC-7")
        #expect(fields["INCIDENT_IDEMPOTENCY_KEY"] == "INC-7/1/0")
        #expect(fields["PATH"] == nil)
    }

    /// Where a journald listens (a systemd host, or one started by hand as SYSTEMD-NOTES.md shows) the entry is
    /// sent for real and must be readable back by its MESSAGE_ID; without one (a stale socket file included) the
    /// notifier must say why rather than claim delivery.
    @Test func theJournalNotifierDeliversOrSaysWhyNot() async throws {
        var request = sampleRequest()
        request.notification.round = Int.random(in: 1000...999_999)
        switch await JournalNotifier(name: "log").deliver(request) {
        case .delivered(let detail):
            #expect(detail == "journal entry MESSAGE_ID=\(JournalNotifier.messageID)")
            let arguments = [
                "-o", "cat", "MESSAGE_ID=\(JournalNotifier.messageID)",
                "INCIDENT_IDEMPOTENCY_KEY=\(request.idempotencyKey)",
            ]
            // journald makes the entry readable when it has written it: wait for that, with journalctl on a
            // thread of its own (it blocks until it exits).
            try await waitUntil("the entry is in the journal", timeout: .seconds(10), poll: .milliseconds(200)) {
                try await onOwnThread {
                    let journalctl = ChildProcess()
                    journalctl.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
                    journalctl.arguments = arguments
                    let pipe = Pipe.closeOnExec()
                    journalctl.standardOutput = pipe
                    try journalctl.run()
                    let text = String(
                        decoding: try pipe.fileHandleForReading.readToEndRetryingInterrupts(), as: UTF8.self)
                    journalctl.waitUntilExit()
                    return text.contains("INC-7 escalated")
                }
            }
        case .retry(let failure, _):
            #expect(failure.reason == "journal")
            #expect(failure.message.hasPrefix("the journal refused the entry: "))
            #expect(failure.message.count > "the journal refused the entry: ".count)
        case .final(let failure):
            Issue.record("a journal failure is never final: \(failure)")
        }
    }
}
