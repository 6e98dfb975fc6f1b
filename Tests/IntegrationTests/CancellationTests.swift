import Foundation
import TestSupport
import Testing

/// One step paging a notifier whose receiver is dead: it retries every 200 ms for up to 600 attempts (two
/// minutes: with 24, a loaded machine let the page fail for good before the acknowledgement committed, and there
/// was nothing left to cancel). The same notifier also takes the `ack` lifecycle message, which an
/// acknowledgement must not cancel.
let cancellationRules = """
    rules:
      - name: disk-full
        match: ['alertname="DiskFull"']
        kind: degradation
        impact: high
        urgency: high
        group_by: [host]
        title: 'Disk full on {{host}}'
        escalation: once
    escalation_policies:
      - name: once
        steps:
          - { after: 0s, notify: [dead] }
    """

extension DeliveryTests {
    /// SPEC: a step runs `while: unacknowledged` by default, and "Acknowledge stops it": that includes the
    /// retries of a page already queued, which used to go on for all their attempts.
    @Test func anAcknowledgementCancelsThePagesStillRetrying() async throws {
        let dead = try await Receiver()
        let url = dead.url("/ok")
        dead.kill()
        let daemon = try await RunningDaemon(
            rules: cancellationRules,
            notifiers: """
                  - { name: dead, type: webhook, url: '\(url)', timeout: 1s, retry: { attempts: 600, initial: 200ms, max: 200ms }, on: [ack] }
                """)
        try await fire(daemon)
        func retries(_ id: String, _ key: String) async throws -> Int {
            try await timeline(daemon, id).filter { $0.hasPrefix("notify_retry: dead \(key) ") }.count
        }
        try await waitUntil("INC-1's page retrying") { try await retries("INC-1", "INC-1/0/0") >= 2 }

        let ack = try await daemon.ctl("ack", "INC-1", "--by", "ann")
        #expect(ack.status == 0, "\(ack.stderr)")
        try await waitUntil("the cancellation in the timeline") {
            try await timeline(daemon).contains { $0.hasPrefix("notification_cancelled: dead INC-1/0/0") }
        }
        let line = try #require(try await timeline(daemon).first { $0.hasPrefix("notification_cancelled:") })
        #expect(line.contains("step 0 round 0"), "\(line)")
        #expect(line.contains("acknowledged by ann"), "\(line)")
        let atCancel = try await retries("INC-1", "INC-1/0/0")

        // A second incident paging the same dead notifier shows the delivery loop going on for several retry
        // intervals: by the time it has retried five times, INC-1's page would have been tried again too.
        try await fire(daemon, host: "db2")
        try await waitUntil("INC-2's page retrying five times") { try await retries("INC-2", "INC-2/0/0") >= 5 }
        // One attempt may have been in flight when the acknowledgement committed: its outcome is still recorded.
        #expect(try await retries("INC-1", "INC-1/0/0") <= atCancel + 1, "INC-1/0/0 was tried again after the ack")
        #expect(!(try await timeline(daemon).contains { $0.hasPrefix("notify_failed: dead INC-1/0/0") }))
        // The acknowledgement's own lifecycle message to the same notifier is not cancelled: it retries.
        try await waitUntil("the ack message retrying") {
            try await timeline(daemon).filter { $0.hasPrefix("notify_retry: dead INC-1/ack/") }.count >= 2
        }
        #expect(!(try await timeline(daemon).contains { $0.hasPrefix("notification_cancelled: dead INC-1/ack/") }))
    }
}
