import IncidentCore

/// What the engine asks its driver to do or record. The engine performs no I/O; the daemon commits these in
/// the same transaction as the events that caused them, and the offline drivers collect them.
public enum Effect: Sendable, Hashable {
    /// An incident was opened or changed: its new snapshot.
    case incident(Incident)
    /// An alert was created or changed: its new snapshot.
    case alert(AlertSnapshot)
    /// An incident whose only change since its last snapshot is its event count (an alert seen again, maybe with new
    /// annotations, which an incident's snapshot does not hold): its new snapshot, whole. A store may write just the
    /// count; `.incident` and this say the same to any other reader.
    case incidentActivity(Incident)
    /// An alert whose only changes since its last snapshot are its last-seen time, event count and annotations (seen
    /// again, same status): its new snapshot, whole. A store may write just those three. Annotations change only
    /// with events, so the activity a replay ends with carries the latest; a status may also change by a timer,
    /// which is why it is never written from activity.
    case alertActivity(AlertSnapshot)
    /// An alert left an incident for another (an operator's merge or split): its row under that incident goes.
    case alertLeft(incident: Int, fingerprint: Fingerprint)
    /// A line for an incident's timeline.
    case timeline(incident: Int, TimelineEntry)
    /// An escalation step is due for a notifier: deliver exactly once per idempotency key.
    case notify(Notification)
    /// Pending pages of steps that stopped (acknowledged, resolved, closed) are to be cancelled.
    case cancel(NotificationCancellation)
    /// A lifecycle moment (open, ack, resolve, reopen, close) notifiers may subscribe to with `on:`.
    case lifecycle(incident: Int, LifecycleMoment, at: Timestamp)
    /// The incident is closed and has left the engine's working state (the store keeps it).
    case closed(incident: Int)
    /// No rule matched this event; it is counted and should be logged.
    case unmatched(Labels)
    /// A rule with `drop: true` discarded this event.
    case dropped(rule: String)
    /// A rule reached its `rate_limit`: this alert joined the rule's gathering incident instead of opening one.
    case rateLimited(rule: String)
}

extension Effect {
    /// The incident's snapshot of `.incident` and `.incidentActivity` alike.
    public var incidentSnapshot: Incident? {
        switch self {
        case .incident(let incident), .incidentActivity(let incident): incident
        default: nil
        }
    }
}

/// Lifecycle moments, with the names notifiers' `on:` lists use.
public enum LifecycleMoment: String, Sendable, Hashable, Codable {
    case open
    case ack
    case resolve
    case reopen
    case close
}
