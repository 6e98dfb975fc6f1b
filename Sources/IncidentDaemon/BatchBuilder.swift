import IncidentCore
import IncidentEngine
import Logging

/// Gathers the effects of one pipeline batch into a `StoreBatch`: the last snapshot of each incident and alert
/// wins, timeline lines and pages keep their order.
struct BatchBuilder {
    let at: Timestamp
    /// Notifier names by the lifecycle moment their `on:` lists.
    var subscribers: [LifecycleMoment: [String]] = [:]
    private(set) var events: [Event] = []
    /// The events' text columns, written as they are added, when the store binds them (see `EventColumns`).
    private var eventColumns: EventColumns?
    var positions: [String: String] = [:]
    private var incidents: [Int: Incident] = [:]
    private var alerts: [AlertKey: AlertSnapshot] = [:]
    /// Snapshots whose only change is activity, unless the same incident or alert changed in full in this batch:
    /// then the full entry above holds the latest snapshot.
    private var incidentActivity: [Int: Incident] = [:]
    private var alertActivity: [AlertKey: AlertSnapshot] = [:]
    private var leftAlerts: Set<AlertKey> = []
    private var timeline: [(incident: Int, entry: TimelineEntry)] = []
    private var notifications: [IncidentCore.Notification] = []
    private var cancellations: [NotificationCancellation] = []
    private var unmatched: [Labels] = []
    private var dropped: [String: Int] = [:]
    private var rateLimited: [String: Int] = [:]
    private var lifecycle: [(Int, LifecycleMoment)] = []

    struct AlertKey: Hashable {
        var incident: Int
        var fingerprint: Fingerprint
    }

    init(at: Timestamp, subscribers: [LifecycleMoment: [String]] = [:], eventColumns: Bool = false) {
        self.at = at
        self.subscribers = subscribers
        if eventColumns { self.eventColumns = EventColumns() }
    }

    /// Adds a submission's events; for a store that binds their text columns, takes `columns` when the submitter
    /// wrote them (one entry per event), and otherwise writes them now, while the commit before this batch runs.
    mutating func add(events added: [Event], columns: EventColumns? = nil) {
        // The first submission's array is taken as it is: appended to an empty one, its events were copied, each
        // retaining its labels, into a new buffer faulted in page by page (BENCHMARKS.md, issue 16).
        if events.isEmpty { events = added } else { events.append(contentsOf: added) }
        guard eventColumns != nil else { return }
        if let columns, columns.count == added.count {
            eventColumns!.append(columns)
        } else {
            eventColumns!.append(contentsOf: added)
        }
    }

    /// Adds effects (the engine reports each submission's incidents itself, see `ingest(groups:)`).
    mutating func add(_ effects: [Effect]) {
        // The tables sized once for what comes: grown as they came, a journal batch's few thousand snapshots were
        // rehashed into ever larger tables, each a new mapping faulted in (issue 16).
        var (full, active, activeIncidents) = (0, 0, 0)
        for i in effects.indices {
            switch effects[i] {
            case .alert: full += 1
            case .alertActivity: active += 1
            case .incidentActivity: activeIncidents += 1
            default: break
            }
        }
        alerts.reserveCapacity(alerts.count + full)
        alertActivity.reserveCapacity(alertActivity.count + active)
        incidentActivity.reserveCapacity(incidentActivity.count + activeIncidents)
        for effect in effects {
            switch effect {
            case .incident(let incident):
                incidents[incident.number] = incident
                incidentActivity[incident.number] = nil
            case .incidentActivity(let incident):
                if incidents[incident.number] != nil {
                    incidents[incident.number] = incident
                } else {
                    incidentActivity[incident.number] = incident
                }
            case .alert(let alert):
                guard let number = alert.incident else { continue }
                let key = AlertKey(incident: number, fingerprint: alert.fingerprint)
                alerts[key] = alert
                alertActivity[key] = nil
                leftAlerts.remove(key)
            case .alertActivity(let alert):
                guard let number = alert.incident else { continue }
                let key = AlertKey(incident: number, fingerprint: alert.fingerprint)
                if alerts[key] != nil || leftAlerts.contains(key) {
                    // Changed in full earlier in the batch (or left and came back): the whole snapshot goes.
                    alerts[key] = alert
                    leftAlerts.remove(key)
                } else {
                    alertActivity[key] = alert
                }
            case .alertLeft(let number, let fingerprint):
                // Whichever comes last in the batch wins: an alert split off and merged back is where it ended.
                let key = AlertKey(incident: number, fingerprint: fingerprint)
                alerts[key] = nil
                alertActivity[key] = nil
                leftAlerts.insert(key)
            case .timeline(let number, let entry):
                timeline.append((number, entry))
            case .notify(let notification):
                notifications.append(notification)
            case .cancel(let cancellation):
                cancellations.append(cancellation)
            case .lifecycle(let number, let moment, let time):
                lifecycle.append((number, moment))
                // Keyed by moment and time (see `Notification.idempotencyKey`): a replay queues nothing twice.
                for notifier in subscribers[moment] ?? [] {
                    notifications.append(
                        IncidentCore.Notification(
                            incident: number, notifier: notifier,
                            policy: (incidents[number] ?? incidentActivity[number])?.escalation?.policy ?? "",
                            step: -1, round: 0, due: time, moment: moment.rawValue))
                }
            case .closed:
                break
            case .unmatched(let labels):
                unmatched.append(labels)
            case .dropped(let rule):
                dropped[rule, default: 0] += 1
            case .rateLimited(let rule):
                rateLimited[rule, default: 0] += 1
            }
        }
    }

    func batch() -> StoreBatch {
        var batch = StoreBatch(
            events: events, incidents: incidents.values.sorted { $0.number < $1.number },
            alerts: Array(alerts.values), timeline: timeline, notifications: notifications,
            cancellations: cancellations, sourcePositions: positions, at: at)
        batch.eventColumns = eventColumns
        batch.incidentActivity = incidentActivity.values.sorted { $0.number < $1.number }
        batch.alertActivity = Array(alertActivity.values)
        batch.leftAlerts = leftAlerts.sorted { ($0.incident, $0.fingerprint) < ($1.incident, $1.fingerprint) }
            .map { ($0.incident, $0.fingerprint) }
        return batch
    }

    /// Logs what an operator wants to see in the journal, after the commit made it true: incidents opened and
    /// changing state, pages queued, and events no rule matched (the first ones, then every thousandth).
    func log(_ logger: Logger, metrics: DaemonMetrics, unmatchedLogged: inout Int) {
        for (number, moment) in lifecycle {
            let incident = incidents[number]
            logger.notice(
                "incident \(moment.rawValue)",
                metadata: [
                    "incident": "\(Incident.id(number))", "title": "\(incident?.title ?? "")",
                    "priority": "\(incident?.priority.rawValue ?? "")", "kind": "\(incident?.kind.rawValue ?? "")",
                ])
        }
        for n in notifications {
            logger.info(
                "page queued",
                metadata: [
                    "incident": "\(Incident.id(n.incident))", "notifier": "\(n.notifier)", "step": "\(n.step)",
                    "round": "\(n.round)",
                ])
        }
        metrics.notificationsQueued.increment(by: notifications.count)
        metrics.unmatched.increment(by: unmatched.count)
        for labels in unmatched {
            unmatchedLogged += 1
            if unmatchedLogged <= 20 || unmatchedLogged % 1000 == 0 {
                logger.warning(
                    "no rule matched an event; it is counted in incidentd_events_unmatched_total",
                    metadata: ["labels": "\(labels)", "unmatched_so_far": "\(unmatchedLogged)"])
            }
        }
        for (rule, count) in dropped { metrics.dropped(rule: rule).increment(by: count) }
        for (rule, count) in rateLimited { metrics.rateLimited(rule: rule).increment(by: count) }
    }
}

extension StoreBatch {
    var isEmpty: Bool {
        events.isEmpty && incidents.isEmpty && alerts.isEmpty && leftAlerts.isEmpty && timeline.isEmpty
            && notifications.isEmpty
            && cancellations.isEmpty && engineState == nil && engineStatePart == nil && sourcePositions.isEmpty
    }
}

extension BatchBuilder {
    /// Nothing to write: no events, positions or effects the store keeps (what is only logged does not count).
    var writesNothing: Bool {
        events.isEmpty && positions.isEmpty && incidents.isEmpty && alerts.isEmpty && leftAlerts.isEmpty
            && incidentActivity.isEmpty && alertActivity.isEmpty && timeline.isEmpty && notifications.isEmpty
            && cancellations.isEmpty
    }
}
