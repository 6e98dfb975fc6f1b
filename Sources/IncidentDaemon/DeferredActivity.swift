import IncidentCore
import IncidentEngine

/// Activity the pipeline has not written yet: an alert's last-seen time, event count and annotations, and its
/// incident's event count, when that is all a commit changed about them (`StoreBatch.alertActivity`,
/// `.incidentActivity`).
///
/// Prometheus sends every firing alert again and again; each time, its row and its incident's would be rewritten
/// in the commit; with small commits (requests of 64 alerts) holding them back cut what each commit wrote by about
/// a quarter (BENCHMARKS.md, issue 16). The pipeline holds the latest such snapshot per key instead and
/// writes them `activityFlushInterval` after the last time, and at shutdown. The events themselves are committed
/// as always.
///
/// A write that is due is spread over the next commits (or idle writes of their own): each takes the next slice of
/// what was held when the write began (a drain), in the store's key order so that a slice rewrites neighbouring
/// rows; the pipeline sizes the slices so that the drain takes half the flush interval. Written whole, 2,000
/// alerts sent again every second made one commit a second take tens of milliseconds, and every event behind it
/// waited that long (BENCHMARKS.md, issue 16). What is held after a drain began waits for the next one. Shutdown
/// takes everything held.
///
/// The API overlays what is held on what it reads from the store (`IngestPipeline.overlay`), so a reader sees the
/// counts at once.
///
/// Nothing is lost by a crash. A checkpoint does not write what is held: the engine state it saves lists it
/// (`unwritten`: the alerts' snapshots, the incidents' numbers, whose counts the saved engine has). A restart
/// restores that engine, holds what the checkpoint lists, replays the events after the checkpoint on top, and
/// hands what is then held to the pipeline, which writes it as its own (`EngineRecovery`). Written with the
/// checkpoint's commit instead, everything held made that commit the longest of the ten seconds between checkpoints
/// (BENCHMARKS.md, issue 16).
public struct DeferredActivity: Sendable {
    struct AlertKey: Hashable, Comparable {
        var incident: Int
        var fingerprint: Fingerprint

        /// The store's key order: `alerts`' primary key is (incident, fingerprint as 16 hex digits).
        static func < (a: AlertKey, b: AlertKey) -> Bool {
            (a.incident, a.fingerprint) < (b.incident, b.fingerprint)
        }
    }

    /// How much of what is held a commit takes.
    enum Flush: Equatable {
        /// Nothing: the batch's activity is held too.
        case none
        /// The next `limit` snapshots of the drain, starting one if none is under way.
        case slice(limit: Int)
        /// Everything held (the most held).
        case all
    }

    private(set) var incidents: [Int: Incident] = [:]
    private(set) var alerts: [AlertKey: AlertSnapshot] = [:]
    /// The drain under way: the keys held when it began, in key order, and how far it has come. Keys written in
    /// full or removed since are skipped; a key held again since is written with its latest snapshot.
    private var drain: [Key] = []
    private var drained = 0

    /// A held snapshot's key; incidents sort before alerts.
    private enum Key: Comparable {
        case incident(Int)
        case alert(AlertKey)
    }

    var isEmpty: Bool { incidents.isEmpty && alerts.isEmpty }
    var count: Int { incidents.count + alerts.count }
    /// A drain began and has keys left.
    var isDraining: Bool { drained < drainTotal }
    /// The keys of the drain under way (0 when none is), and how many of them are behind.
    var drainTotal: Int { drain.count }
    var drainPosition: Int { drained }

    /// What is held, for a checkpoint to list; nil when nothing is held.
    var unwritten: EngineState.UnwrittenActivity? {
        guard !isEmpty else { return nil }
        return EngineState.UnwrittenActivity(
            incidents: Array(incidents.keys), alerts: alerts.map { .init($0.value, incident: $0.key.incident) })
    }

    /// Takes the batch's activity into the held set (a later snapshot replaces an earlier one) and drops what the
    /// batch writes in full or removes: that is newer. With `.all` the batch leaves with everything held; with
    /// `.slice` with the next keys of the drain. Returns whether this finished a write of what was held: `.all`,
    /// or the drain's last slice (the next write is due an interval from now).
    @discardableResult
    mutating func route(_ batch: inout StoreBatch, flush: Flush) -> Bool {
        if !isEmpty {
            for incident in batch.incidents { incidents[incident.number] = nil }
            for alert in batch.alerts {
                if let number = alert.incident {
                    alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)] = nil
                }
            }
            for (number, fingerprint) in batch.leftAlerts {
                alerts[AlertKey(incident: number, fingerprint: fingerprint)] = nil
            }
        }
        // Nothing held and everything goes now: the batch's own activity stays where it is.
        if flush != .none, isEmpty, !isDraining { return true }
        for incident in batch.incidentActivity { incidents[incident.number] = incident }
        for alert in batch.alertActivity {
            if let number = alert.incident {
                alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)] = alert
            }
        }
        batch.incidentActivity = []
        batch.alertActivity = []
        switch flush {
        case .none:
            return false
        case .all:
            batch.incidentActivity = incidents.values.sorted { $0.number < $1.number }
            batch.alertActivity = Array(alerts.values)
            removeAll()
            return true
        case .slice(let limit):
            return takeSlice(limit, into: &batch)
        }
    }

    /// Moves the drain's next `limit` held snapshots into `batch`, beginning a drain when none is under way.
    private mutating func takeSlice(_ limit: Int, into batch: inout StoreBatch) -> Bool {
        let (slice, end) = nextSlice(limit, at: batch.at)
        batch.incidentActivity += slice.incidentActivity
        batch.alertActivity += slice.alertActivity
        return sliceWritten(through: end)
    }

    /// The drain's next slice of up to `limit` snapshots as a batch of its own, beginning a drain when none is under
    /// way, without taking it: the idle pipeline writes it, then calls `sliceWritten(through:)` with `end`. Nothing
    /// held may change in between.
    mutating func nextSlice(_ limit: Int, at time: Timestamp) -> (batch: StoreBatch, end: Int) {
        if !isDraining {
            drain = (incidents.keys.map(Key.incident) + alerts.keys.map(Key.alert)).sorted()
            drained = 0
        }
        var batch = StoreBatch(at: time)
        var end = drained
        while batch.incidentActivity.count + batch.alertActivity.count < limit, end < drain.count {
            switch drain[end] {
            case .incident(let number):
                if let incident = incidents[number] { batch.incidentActivity.append(incident) }
            case .alert(let key):
                if let alert = alerts[key] { batch.alertActivity.append(alert) }
            }
            end += 1
        }
        return (batch, end)
    }

    /// The slice `nextSlice` gave, up to `end`, is written: it is no longer held. Returns whether the drain is over.
    mutating func sliceWritten(through end: Int) -> Bool {
        while drained < min(end, drain.count) {
            switch drain[drained] {
            case .incident(let number): incidents[number] = nil
            case .alert(let key): alerts[key] = nil
            }
            drained += 1
        }
        guard !isDraining else { return false }
        endDrain()
        return true
    }

    private mutating func endDrain() {
        drain.removeAll(keepingCapacity: true)
        drained = 0
    }

    /// Follows effects in order (a replay's): activity is held, full snapshots and departures drop what is held.
    mutating func absorb(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .incident(let incident): incidents[incident.number] = nil
            case .incidentActivity(let incident): incidents[incident.number] = incident
            case .alert(let alert):
                if let number = alert.incident {
                    alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)] = nil
                }
            case .alertActivity(let alert):
                if let number = alert.incident {
                    alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)] = alert
                }
            case .alertLeft(let number, let fingerprint):
                alerts[AlertKey(incident: number, fingerprint: fingerprint)] = nil
            default:
                break
            }
        }
    }

    /// A batch of nothing but what is held.
    func batch(at time: Timestamp) -> StoreBatch {
        var batch = StoreBatch(at: time)
        batch.incidentActivity = incidents.values.sorted { $0.number < $1.number }
        batch.alertActivity = Array(alerts.values)
        return batch
    }

    /// What a reader of the store should see: the held counts of an incident.
    func overlay(_ incident: Incident) -> Incident {
        guard let held = incidents[incident.number] else { return incident }
        var incident = incident
        incident.events = held.events
        return incident
    }

    /// ... and of an alert.
    func overlay(_ alert: AlertSnapshot) -> AlertSnapshot {
        guard let number = alert.incident, let held = alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)]
        else { return alert }
        var alert = alert
        alert.lastSeen = held.lastSeen
        alert.events = held.events
        alert.annotations = held.annotations
        return alert
    }

    mutating func removeAll() {
        incidents.removeAll(keepingCapacity: true)
        alerts.removeAll(keepingCapacity: true)
        endDrain()
    }
}
