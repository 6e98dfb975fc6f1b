import IncidentCore
import Testing

@testable import IncidentDaemon

/// What a wait returns after pokes and feeds: each wait below returns at once, because a poke or feed with nobody
/// waiting is kept for the next wait.
@Suite struct DeliveryWakeupTests {
    func entry(_ id: Int64) -> OutboxEntry {
        OutboxEntry(
            id: id,
            notification: Notification(
                incident: Int(id), notifier: "oncall", policy: "default", step: 0, round: 0,
                due: Timestamp(microseconds: 0)),
            state: .pending, attempts: 0, nextAttempt: Timestamp(microseconds: 0), lastError: nil, deliveredAt: nil)
    }

    @Test func fedRowsComeBackInOrderWithoutARead() async {
        let wakeup = DeliveryWakeup()
        wakeup.feed([entry(1), entry(2)])
        wakeup.poke(reread: false)
        wakeup.feed([entry(3)])
        let woken = await wakeup.wait(upTo: .seconds(3600))
        #expect(woken.reread == false)
        #expect(woken.fed.map(\.id) == [1, 2, 3])
    }

    @Test func aReadAskedForTakesThePlaceOfTheRowsFedBeforeOrAfter() async {
        let wakeup = DeliveryWakeup()
        wakeup.feed([entry(1)])
        wakeup.poke()
        wakeup.feed([entry(2)])
        let woken = await wakeup.wait(upTo: .seconds(3600))
        #expect(woken.reread == true)
        #expect(woken.fed.isEmpty)
        // Each wait starts afresh.
        wakeup.feed([entry(3)])
        #expect(await wakeup.wait(upTo: .seconds(3600)).fed.map(\.id) == [3])
    }

    @Test func aStoreThatReportsNothingAsksForARead() async {
        let wakeup = DeliveryWakeup()
        wakeup.feed([entry(1)])
        wakeup.feed(nil)
        let woken = await wakeup.wait(upTo: .seconds(3600))
        #expect(woken.reread == true)
        #expect(woken.fed.isEmpty)
    }

    @Test func moreRowsThanTheLimitBetweenTwoWaitsAreLeftToARead() async {
        let wakeup = DeliveryWakeup(feedLimit: 3)
        wakeup.feed([entry(1), entry(2)])
        wakeup.feed([entry(3)])
        #expect(await wakeup.wait(upTo: .seconds(3600)) == (false, [entry(1), entry(2), entry(3)]))
        wakeup.feed([entry(4), entry(5)])
        wakeup.feed([entry(6), entry(7)])
        let woken = await wakeup.wait(upTo: .seconds(3600))
        #expect(woken.reread == true)
        #expect(woken.fed.isEmpty)
    }

    @Test func theLimitEndsAWaitThatNothingPoked() async {
        let wakeup = DeliveryWakeup()
        let woken = await wakeup.wait(upTo: .milliseconds(10))
        #expect(woken.reread == true)
    }
}
