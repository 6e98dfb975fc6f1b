import IncidentCore
import IncidentEngine

/// Activity the pipeline has not written yet: an alert's last-seen time, event count and annotations, and its
/// incident's event count, when that is all a commit changed about them (`StoreBatch.alertActivity`,
/// `.incidentActivity`).
///
/// Prometheus sends every firing alert again and again; each time, its row and its incident's would be rewritten
/// in the commit; with small commits (requests of 64 alerts) holding them back cut what each commit wrote by about
/// a quarter (BENCHMARKS.md, issue 16). The pipeline holds the latest such snapshot per key instead and
/// writes them together: with the first commit `activityFlushInterval` after the last time (or in a commit of their
/// own then, if the pipeline is idle), with every checkpoint, and at shutdown. The events themselves are committed
/// as always. The API overlays what is held on what it reads from the store (`IngestPipeline.overlay`), so a reader
/// sees the counts at once.
///
/// Nothing is lost by a crash: every checkpoint takes everything held, so what is held belongs to events after the
/// last checkpoint, which a restart replays; `EngineRecovery` writes what the replay's activity says.
struct DeferredActivity {
    struct AlertKey: Hashable {
        var incident: Int
        var fingerprint: Fingerprint
    }

    private(set) var incidents: [Int: Incident] = [:]
    private(set) var alerts: [AlertKey: AlertSnapshot] = [:]

    var isEmpty: Bool { incidents.isEmpty && alerts.isEmpty }
    var count: Int { incidents.count + alerts.count }

    /// Takes the batch's activity into the held set (a later snapshot replaces an earlier one) and drops what the
    /// batch writes in full or removes: that is newer. With `flush`, the batch leaves with everything held.
    mutating func route(_ batch: inout StoreBatch, flush: Bool) {
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
        guard !flush || !isEmpty else { return }
        for incident in batch.incidentActivity { incidents[incident.number] = incident }
        for alert in batch.alertActivity {
            if let number = alert.incident {
                alerts[AlertKey(incident: number, fingerprint: alert.fingerprint)] = alert
            }
        }
        if flush {
            batch.incidentActivity = incidents.values.sorted { $0.number < $1.number }
            batch.alertActivity = Array(alerts.values)
            removeAll()
        } else {
            batch.incidentActivity = []
            batch.alertActivity = []
        }
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
    }
}
