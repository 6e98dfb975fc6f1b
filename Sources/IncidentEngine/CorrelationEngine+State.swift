import Foundation
import IncidentCore
import IncidentRules

/// Everything the engine needs to continue after a restart; the daemon persists it.
public struct EngineState: Sendable, Codable {
    /// 2 added `unwritten`: a version that reads only 1 refuses the state rather than drop what it lists.
    public static let currentVersion = 2

    public var version: Int
    public var nextNumber: Int
    public var now: Timestamp
    public var stats: EngineStats
    /// Keyed by the fingerprint's hex form: string keys encode as a sorted JSON object.
    var alerts: [String: AlertRecord]
    var incidents: [Int: IncidentRecord]
    var groups: [String: Int]
    var pending: [String: PendingGroup]
    var dedupIndex: [String: Fingerprint]
    /// Resolves held for alerts whose firing event had not arrived yet (kept for two clamps).
    var earlyResolves: [EarlyResolve] = []
    /// Opening times of rules with a `rate_limit` (absent in checkpoints of versions before it).
    var ruleOpens: [String: [Timestamp]]?
    /// Silences (SPEC §11), absent in checkpoints from before them.
    var silences: [Silence]?
    /// Correlation group keys → incident (SPEC §13), absent in checkpoints from before them.
    var correlated: [String: Int]?
    /// What the daemon had held back from the store when the state was taken: set by the daemon, not the engine.
    /// Absent in checkpoints from before it (version 1: each was written with everything held).
    public var unwritten: UnwrittenActivity?

    /// The activity (an alert's last-seen time, event count and annotations, an incident's event count) the store
    /// may lack for events a checkpoint covers: a restart, which replays only the events after the checkpoint,
    /// writes it.
    public struct UnwrittenActivity: Sendable, Codable, Equatable {
        /// The incidents' numbers: the engine restored from the same checkpoint has their counts.
        public var incidents: [Int]
        /// The alerts as they were held. Not looked up in the engine: the store's key (incident, fingerprint) may
        /// name two of the engine's alerts (two rules, one label set), or one the engine moved to a new incident.
        public var alerts: [Alert]

        /// An `AlertSnapshot` of an alert in an incident, in the checkpoint's own form (not the API's).
        public struct Alert: Sendable, Codable, Equatable {
            var fingerprint: Fingerprint
            var incident: Int
            var labels: Labels
            var annotations: Labels
            var status: EventStatus
            var firstSeen: Timestamp
            var lastSeen: Timestamp
            var events: Int
            var suppressed: Bool

            public init(_ a: AlertSnapshot, incident: Int) {
                (fingerprint, self.incident, labels, annotations) = (a.fingerprint, incident, a.labels, a.annotations)
                (status, firstSeen, lastSeen, events, suppressed) = (
                    a.status, a.firstSeen, a.lastSeen, a.events, a.suppressed
                )
            }

            public var snapshot: AlertSnapshot {
                AlertSnapshot(
                    fingerprint: fingerprint, incident: incident, labels: labels, annotations: annotations,
                    status: status, firstSeen: firstSeen, lastSeen: lastSeen, events: events, suppressed: suppressed)
            }
        }

        public init(incidents: [Int], alerts: [Alert]) {
            self.incidents = incidents
            self.alerts = alerts
        }
    }

    struct EarlyResolve: Sendable, Codable {
        var key: Fingerprint
        var time: Timestamp
        var count: Int
    }

    /// The checkpoint's bytes: the compact binary form (`CompactCoder`), compressed (`CheckpointCompression`). At
    /// 100,000 alerts in 7,000 incidents: 6.1 MB, encoded in 0.24-0.25 s and decoded in 0.30-0.31 s here
    /// (`engine-bench --checkpoint --alerts-per-incident 15`); as JSON, one incident each, it took 7.0-7.9 s and
    /// 5.0-6.1 s. The compact form takes about 390 bytes an alert there, so 512 an alert are reserved for it.
    public func encoded() throws -> Data {
        try CheckpointCompression.compress(CompactCoder.encodeBytes(self, capacity: (1 << 16) + alerts.count * 512))
    }

    /// JSON with sorted keys: the same state always gives the same bytes, so tests compare states by it (the
    /// compact form follows dictionaries' order, which differs between processes).
    public func canonicalJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a checkpoint in any form this or an earlier version wrote: the compact form compressed, the compact
    /// form, or JSON.
    public static func decode(_ data: Data) throws -> EngineState {
        let state: EngineState
        if CheckpointCompression.isCompressed(data) {
            state = try CompactCoder.decode(EngineState.self, from: try CheckpointCompression.decompress(data))
        } else if CompactCoder.isCompact(data) {
            state = try CompactCoder.decode(EngineState.self, from: data)
        } else {
            state = try JSONDecoder().decode(EngineState.self, from: data)
        }
        guard (1...currentVersion).contains(state.version) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription: "engine state version \(state.version) is not 1 to \(currentVersion)"))
        }
        return state
    }
}

extension CorrelationEngine {
    /// The engine's working state, for persisting.
    public func exportState() -> EngineState {
        EngineState(
            version: EngineState.currentVersion, nextNumber: nextNumber, now: now, stats: stats,
            alerts: Dictionary(uniqueKeysWithValues: alerts.map { ($0.key.description, $0.value) }),
            incidents: incidents.dictionary, groups: groups, pending: pending, dedupIndex: dedupIndex,
            earlyResolves: earlyResolves.map {
                EngineState.EarlyResolve(key: $0.key, time: $0.value.time, count: $0.value.count)
            }
            .sorted { $0.key < $1.key }, ruleOpens: ruleOpens.isEmpty ? nil : ruleOpens,
            silences: silenceTable.isEmpty ? nil : silences, correlated: correlated.isEmpty ? nil : correlated)
    }

    /// The checkpoint's alerts by fingerprint, in one pass. Keys that name one fingerprint twice ("00ab" and "AB",
    /// only in a damaged or crafted checkpoint) keep the record of the smaller key: `uniqueKeysWithValues` would
    /// trap on every start. That rare case takes the sorted path; the common one sorts and copies nothing
    /// (sorting 100,000 keys and copying their records was a fifth of a restart).
    static func restoredAlerts(_ stored: [String: AlertRecord]) -> RecordTable<Fingerprint, AlertRecord> {
        var table = RecordTable<Fingerprint, AlertRecord>(minimumCapacity: stored.count)
        for (key, record) in stored {
            guard let fingerprint = Fingerprint(hex: key) else { continue }
            guard table.slot(for: fingerprint) == nil else { return restoredAlertsInKeyOrder(stored) }
            table[fingerprint] = record
        }
        return table
    }

    /// `restoredAlerts` when two keys name one fingerprint: the first in key order wins.
    static func restoredAlertsInKeyOrder(_ stored: [String: AlertRecord]) -> RecordTable<Fingerprint, AlertRecord> {
        var table = RecordTable<Fingerprint, AlertRecord>(minimumCapacity: stored.count)
        for (key, record) in stored.sorted(by: { $0.key < $1.key }) {
            guard let fingerprint = Fingerprint(hex: key), table.slot(for: fingerprint) == nil else { continue }
            table[fingerprint] = record
        }
        return table
    }

    /// An engine that continues from a saved state under (possibly new) rules. Timers are rebuilt from the
    /// records' due times, so nothing about scheduling needs to be saved.
    public init(restoring state: EngineState, ruleSet: RuleSet, clamp: Duration = .seconds(60)) {
        self.init(ruleSet: ruleSet, clamp: clamp)
        nextNumber = state.nextNumber
        now = state.now
        stats = state.stats
        alerts = Self.restoredAlerts(state.alerts)
        incidents = RecordTable(state.incidents)
        groups = state.groups
        pending = state.pending
        dedupIndex = state.dedupIndex
        ruleOpens = state.ruleOpens ?? [:]
        correlated = state.correlated ?? [:]
        for silence in state.silences ?? [] {
            // A silence that no longer compiles (it cannot happen with one this engine accepted) is dropped
            // rather than stopping the start.
            guard let matchers = try? Self.validateStored(silence) else { continue }
            silenceTable[silence.id] = silence
            silenceMatchers[silence.id] = matchers
            pushSilenceTimers(silence, after: state.now)
        }
        computeLiveMutes(at: state.now)
        // Windows may have opened or closed while the daemon was down: the first advance re-checks at the
        // checkpoint's time, then the timers take over.
        mutingDue = state.now
        timers.push(state.now, .muting)
        for held in state.earlyResolves {
            earlyResolves[held.key] = (held.time, held.count)
            earlyResolveQueue.append((held.time, held.key))
        }
        earlyResolveQueue.sort { $0.0 < $1.0 }
        reindexRules()
        // In fingerprint order, as before; only the firing alerts' times are sorted, not 100,000 records copied.
        var resolves: [(Fingerprint, Timestamp)] = []
        let fingerprints = alerts.allKeys
        for slot in fingerprints.indices {
            let alert = alerts[slot: slot]
            if let due = alert.resolveDue, alert.status == .firing { resolves.append((fingerprints[slot], due)) }
        }
        resolves.sort { $0.0 < $1.0 }
        for (fingerprint, due) in resolves { timers.push(due + clamp, .alertResolve(fingerprint)) }
        for number in incidents.allKeys.sorted() {
            let incident = incidents[number]!
            if let due = incident.escalation?.due { timers.push(due, .escalation(number)) }
            if let due = incident.ackDue { timers.push(due, .ackTimeout(number)) }
            if let due = incident.closeDue { timers.push(due + clamp, .close(number)) }
            if let due = incident.flapDue { timers.push(due + clamp, .flapping(number)) }
        }
        for key in pending.keys.sorted() {
            if let due = pending[key]!.due { timers.push(due + clamp, .pending(key)) }
        }
    }
}
