import IncidentCore
import IncidentRules
import TestSupport
import Testing

@testable import IncidentEngine

/// Properties of silences over seeded random streams: a silence changes who is paged and when, never what is
/// recorded or how events are correlated; nothing muted is paged while muted; and a restore mid-stream with
/// silences active gives the same end state as the run it was cut from.
@Suite("silence properties")
struct SilencePropertyTests {
    /// Silences over a part of the hosts and a part of the stream, from a seed.
    static func silences(seed: UInt64) -> [(at: Double, silence: Silence)] {
        var rng = SeededRandom(seed: seed &* 104_729)
        return (0..<4).map { i in
            let from = Double(Int.random(in: 0...(300 * 45), using: &rng))
            let length = Double(Int.random(in: 600...7200, using: &rng))
            let host = "h\(Int.random(in: 0..<5, using: &rng))"
            return (
                from,
                Silence(
                    id: "p\(i)", matchers: [SilenceMatcher(name: "host", value: host)], startsAt: at(from),
                    endsAt: at(from + length), createdBy: "prop", comment: "seed \(seed)", updatedAt: at(from))
            )
        }.sorted { $0.at < $1.at }
    }

    /// Feeds events in order, adding each silence when the clock reaches it.
    static func feed(
        _ h: inout Harness, _ events: some Sequence<Event>, silences: some Sequence<(at: Double, silence: Silence)>
    ) {
        var pending = Array(silences)[...]
        func addDue(upTo time: Timestamp?) {
            while let next = pending.first, time.map({ at(next.at) <= $0 }) ?? true {
                h.collect(h.engine.advance(to: at(next.at)))
                h.collect(try! h.engine.upsertSilence(next.silence, at: at(next.at)))
                pending = pending.dropFirst()
            }
        }
        for e in events {
            addDue(upTo: e.receivedAt)
            h.send(e)
        }
        addDue(upTo: nil)
    }

    static func run(_ events: [Event], silences: [(at: Double, silence: Silence)], until end: Double) -> Harness {
        var h = Harness(PropertyTests.rules)
        feed(&h, events, silences: silences)
        h.advance(end)
        return h
    }

    @Test("silences change pages, never correlation", arguments: 1...30)
    func silencesDoNotChangeCorrelation(seed: UInt64) {
        let events = PropertyTests.stream(seed: seed, count: 300)
        let end = 400 * 90 + 86_400.0
        let plain = Self.run(events, silences: [], until: end)
        let muted = Self.run(events, silences: Self.silences(seed: seed), until: end)
        #expect(PropertyTests.summary(plain) == PropertyTests.summary(muted), "seed \(seed)")
        #expect(plain.engine.stats.eventsIn == muted.engine.stats.eventsIn)
        #expect(plain.engine.stats.absorbed == muted.engine.stats.absorbed)
        #expect(muted.engine.stats.accounted == muted.engine.stats.eventsIn)
    }

    /// The properties here mean something only if the generated silences do mute incidents.
    @Test func theGeneratedSilencesMuteIncidents() {
        let muting = (1...10).filter { seed in
            let h = Self.run(
                PropertyTests.stream(seed: UInt64(seed), count: 300), silences: Self.silences(seed: UInt64(seed)),
                until: 400 * 90 + 86_400.0)
            return h.timeline.contains { $0.1.type == "silenced" } && h.timeline.contains { $0.1.type == "unsilenced" }
        }
        #expect(muting.count >= 5, "only seeds \(muting) silenced and unsilenced an incident")
    }

    @Test("nothing is paged for an incident while it is silenced", arguments: 1...30)
    func noPageWhileSilenced(seed: UInt64) {
        let events = PropertyTests.stream(seed: seed, count: 300)
        let h = Self.run(events, silences: Self.silences(seed: seed), until: 400 * 90 + 86_400.0)
        // Replay the timeline: between an incident's `silenced` line and its next `unsilenced` or resolve, no
        // page of it may be due.
        var silencedSince: [Int: Timestamp] = [:]
        var intervals: [Int: [(Timestamp, Timestamp)]] = [:]
        for (number, entry) in h.timeline {
            switch entry.type {
            case "silenced": silencedSince[number] = entry.at
            case "unsilenced", "resolved":
                if let since = silencedSince.removeValue(forKey: number) {
                    intervals[number, default: []].append((since, entry.at))
                }
            default: break
            }
        }
        for n in h.notifications {
            for (from, to) in intervals[n.incident] ?? [] {
                #expect(
                    !(n.due > from && n.due < to), "seed \(seed): \(n.idempotencyKey) due \(n.due) in \(from)-\(to)")
            }
            if let since = silencedSince[n.incident] {
                #expect(n.due <= since, "seed \(seed): \(n.idempotencyKey) due \(n.due) after silenced at \(since)")
            }
        }
    }

    /// What `silencingMayChange` relies on to skip the pass over an incident's alerts: after every event, every
    /// firing alert's mutes are the live mutes matching it, and an incident is silenced exactly when it is active,
    /// not manual, has firing alerts and every one of them is muted.
    @Test("the silenced flag follows the alerts' mutes after every event", arguments: 1...30)
    func silencedFlagHoldsAfterEveryEvent(seed: UInt64) {
        _ = Self.checkSilencedFlag(seed: seed)
    }

    /// The check above means something only if it saw silenced incidents, and incidents whose firing alerts were
    /// muted and unmuted at once (where an alert joining or leaving decides the flag).
    @Test func theFlagCheckSeesSilencedAndMixedIncidents() {
        let seen = (1...10).map { Self.checkSilencedFlag(seed: UInt64($0)) }
        #expect(seen.map(\.silenced).reduce(0, +) > 0)
        #expect(seen.map(\.mixed).reduce(0, +) > 0)
    }

    /// Feeds the seeded stream with its silences and checks every incident after each event; returns how many
    /// times an incident was seen silenced, and seen with muted and unmuted firing alerts.
    static func checkSilencedFlag(seed: UInt64) -> (silenced: Int, mixed: Int) {
        var h = Harness(PropertyTests.rules)
        var pending = silences(seed: seed)[...]
        var seen = (silenced: 0, mixed: 0)
        for e in PropertyTests.stream(seed: seed, count: 300) {
            while let next = pending.first, at(next.at) <= e.receivedAt {
                h.collect(h.engine.advance(to: at(next.at)))
                h.collect(try! h.engine.upsertSilence(next.silence, at: at(next.at)))
                pending = pending.dropFirst()
            }
            h.send(e)
            let engine = h.engine
            for (number, incident) in engine.incidents {
                let firing = incident.alerts.compactMap { engine.alerts[$0] }.filter { $0.status == .firing }
                for alert in firing {
                    #expect(
                        (alert.silencedBy ?? []) == engine.mutes(alert.labels),
                        "seed \(seed): INC-\(number) \(alert.labels)")
                }
                let muted = firing.filter { !($0.silencedBy ?? []).isEmpty }.count
                let expected = incident.state.isActive && !incident.manual && !firing.isEmpty && muted == firing.count
                #expect(
                    (incident.silenced == true) == expected,
                    "seed \(seed) at \(e.receivedAt): INC-\(number), \(muted) of \(firing.count) firing alerts muted")
                if expected { seen.silenced += 1 }
                if muted > 0 && muted < firing.count { seen.mixed += 1 }
            }
        }
        return seen
    }

    @Test("a restore mid-stream with silences gives the same end state", arguments: 1...15)
    func restoreWithSilences(seed: UInt64) throws {
        let events = PropertyTests.stream(seed: seed, count: 200)
        let silences = Self.silences(seed: seed)
        let end = 400 * 90 + 86_400.0
        let whole = Self.run(events, silences: silences, until: end)
        // Cut at the middle event: export, restore, and go on with the rest.
        let cut = events.count / 2
        let first = Self.run(
            Array(events[..<cut]), silences: silences.filter { at($0.at) <= events[cut - 1].receivedAt }, until: 0)
        let state = try EngineState.decode(try first.engine.exportState().encoded())
        var rest = Harness(PropertyTests.rules)
        rest.engine = CorrelationEngine(restoring: state, ruleSet: compile(PropertyTests.rules))
        Self.feed(&rest, events[cut...], silences: silences.filter { at($0.at) > events[cut - 1].receivedAt })
        rest.advance(end)
        #expect(
            try whole.engine.exportState().canonicalJSON() == rest.engine.exportState().canonicalJSON(),
            "seed \(seed)")
    }
}
