import Foundation

/// Everything one ingest step must make durable at once: the events, what the engine made of them, and how far
/// each source has been read (SPEC §9).
///
/// A store commits a batch in one transaction, so a source is acknowledged only for events whose every effect
/// is on disk.
public struct StoreBatch: Sendable {
    /// The events to record, in arrival order; `commit` returns their row ids in the same order.
    public var events: [Event]
    /// The events' text columns written ahead (`EventColumns`); a store that finds them for every event binds
    /// them instead of writing its own, and writes its own when they are missing or do not cover `events`.
    public var eventColumns: EventColumns?
    /// Incident snapshots to upsert by number, closed ones included.
    public var incidents: [Incident]
    /// Alert snapshots to upsert by (incident, fingerprint); every one must belong to an incident.
    public var alerts: [AlertSnapshot]
    /// Incident snapshots whose only change since the store last got them is the event count. A store writes just
    /// that column of a row it has (the snapshot's other fields may be older than the row's: a restart's replay
    /// writes its activity after later commits), and the whole snapshot when it has none. A batch never names
    /// one number in both this and `incidents`.
    public var incidentActivity: [Incident] = []
    /// Alert snapshots whose only changes since the store last got them are the last-seen time and event count.
    /// A store writes just those of a row it has, and the whole snapshot when it has none (as for
    /// `incidentActivity`). A batch never names one (incident, fingerprint) in both this and `alerts`, nor in
    /// `leftAlerts`.
    public var alertActivity: [AlertSnapshot] = []
    /// Alerts to remove from an incident, by (incident, fingerprint): they moved to another (merge, split). A
    /// store applies them after the upserts; a batch never names one (incident, fingerprint) in both.
    public var leftAlerts: [(incident: Int, fingerprint: Fingerprint)] = []
    /// Lines to append to incidents' timelines.
    public var timeline: [(incident: Int, entry: TimelineEntry)]
    /// Pages to queue; one already queued for the same notifier and idempotency key is left as it is.
    public var notifications: [Notification]
    /// Pending pages to cancel, after this batch's pages are queued: see `NotificationCancellation`.
    public var cancellations: [NotificationCancellation]
    /// The engine's opaque working state; replaces the saved one when not nil.
    public var engineState: Data?
    /// The last event the engine state covers, when the state was taken at an earlier batch than this one (a
    /// checkpoint encoded while later batches committed); nil: it covers every event up to this batch's last.
    public var engineStateThroughEvent: Int64?
    /// A part of a checkpoint written across several commits (see `EngineStatePart`); never set with `engineState`.
    public var engineStatePart: EngineStatePart?
    /// How far each source has been read (`journal` → cursor); replaces the saved position per source.
    public var sourcePositions: [String: String]
    /// When the batch was made, by the driver's clock; recorded as the engine state's `saved_at`.
    public var at: Timestamp

    public init(
        events: [Event] = [], incidents: [Incident] = [], alerts: [AlertSnapshot] = [],
        timeline: [(incident: Int, entry: TimelineEntry)] = [], notifications: [Notification] = [],
        cancellations: [NotificationCancellation] = [], engineState: Data? = nil,
        sourcePositions: [String: String] = [:], at: Timestamp
    ) {
        self.events = events
        self.incidents = incidents
        self.alerts = alerts
        self.timeline = timeline
        self.notifications = notifications
        self.cancellations = cancellations
        self.engineState = engineState
        self.sourcePositions = sourcePositions
        self.at = at
    }
}
