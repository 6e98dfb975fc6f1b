import IncidentCore
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics (`incidentd_*`), exposed on `GET /metrics`.
///
/// Counters are bumped where things happen; figures that live elsewhere (engine working set, outbox depth) are
/// set into gauges at scrape time by `DaemonAPI.metrics()`.
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    let eventsCommitted: Counter
    let batchesCommitted: Counter
    /// Whether the last commit failed and why; `/readyz` reads it.
    public let commitHealth = CommitHealth()
    let commitsFailing: Gauge
    let commitSeconds: DurationHistogram
    let queueDepth: Gauge
    let backpressureWaits: Counter
    let notificationsQueued: Counter
    let unmatched: Counter
    let quarantined: Counter
    let reloads: Counter
    let reloadFailures: Counter
    let checkpointsWritten: Counter
    let checkpointBytes: Gauge
    let checkpointEncodeSeconds: Gauge
    let checkpointCommitSeconds: Gauge
    let checkpointWrittenAt: Gauge

    // Set at scrape time.
    let engineEvents: Gauge
    let engineBuckets: [String: Gauge]
    /// Silences by state (`pending`, `active`, `expired`), as Alertmanager's `alertmanager_silences`.
    let silences: [String: Gauge]
    let silencedIncidents: Gauge
    let incidentsOpened: Gauge
    let incidentsResolved: Gauge
    let incidentsClosed: Gauge
    let workingIncidents: Gauge
    let workingAlerts: Gauge
    let pendingEvents: Gauge
    let timers: Gauge
    let storeEvents: Gauge
    let outboxPending: Gauge
    let outboxOldestDueSeconds: Gauge
    let ready: Gauge
    let escalationOverdue: Gauge

    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    public init() {
        let r = registry
        eventsCommitted = r.makeCounter(
            descriptor: d("incidentd_events_committed_total", "Events recorded in the store (acknowledged to sources).")
        )
        batchesCommitted = r.makeCounter(
            descriptor: d("incidentd_store_commits_total", "Transactions committed by the ingest pipeline."))
        commitsFailing = r.makeGauge(
            descriptor: d(
                "incidentd_store_commits_failing",
                "1 while the last commit failed (/readyz says why); 0 once one succeeds again."))
        commitSeconds = r.makeDurationHistogram(
            descriptor: d(
                "incidentd_store_commit_duration_seconds",
                "Time to commit one batch (events and all their effects) durably."),
            buckets: [
                .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
            ])
        queueDepth = r.makeGauge(descriptor: d("incidentd_ingest_queue_events", "Events waiting for the pipeline."))
        backpressureWaits = r.makeCounter(
            descriptor: d(
                "incidentd_ingest_backpressure_waits_total", "Times a source waited because the queue was full."))
        notificationsQueued = r.makeCounter(
            descriptor: d("incidentd_notifications_queued_total", "Escalation pages written to the outbox."))
        unmatched = r.makeCounter(
            descriptor: d("incidentd_events_unmatched_total", "Events no rule matched (logged, counted, not lost)."))
        quarantined = r.makeCounter(
            descriptor: d(
                "incidentd_events_quarantined_total",
                "Stored events recovery refused to replay (an impossible time or no labels); logged with their ids."))
        reloads = r.makeCounter(descriptor: d("incidentd_rule_reloads_total", "Rule reloads that took effect."))
        reloadFailures = r.makeCounter(
            descriptor: d("incidentd_rule_reload_failures_total", "Rule reloads rejected; the old rules stayed."))
        checkpointsWritten = r.makeCounter(
            descriptor: d(
                "incidentd_checkpoints_total",
                "Checkpoints of the engine's state written to the store (a restart replays the events after one)."))
        checkpointBytes = r.makeGauge(
            descriptor: d("incidentd_checkpoint_bytes", "Size of the last checkpoint written, in bytes."))
        checkpointEncodeSeconds = r.makeGauge(
            descriptor: d(
                "incidentd_checkpoint_encode_seconds",
                "CPU seconds the last checkpoint's encoding took, off the pipeline; checkpoints come no more often "
                    + "than twenty times it."))
        checkpointCommitSeconds = r.makeGauge(
            descriptor: d(
                "incidentd_checkpoint_commit_seconds",
                "Seconds the commit that wrote the last checkpoint took, with the batch that carried it."))
        checkpointWrittenAt = r.makeGauge(
            descriptor: d(
                "incidentd_checkpoint_timestamp_seconds",
                "Unix time the last checkpoint was written; 0 until this process writes one."))
        engineEvents = r.makeGauge(descriptor: d("incidentd_engine_events", "Events the engine took since it started."))
        var buckets: [String: Gauge] = [:]
        for bucket in ["absorbed", "pending", "below_threshold", "dropped", "unmatched", "stale"] {
            buckets[bucket] = r.makeGauge(
                descriptor: d("incidentd_engine_events_by_outcome", "What the engine did with the events it took."),
                labels: [("outcome", bucket)])
        }
        engineBuckets = buckets
        var silenceGauges: [String: Gauge] = [:]
        for state in ["pending", "active", "expired"] {
            silenceGauges[state] = r.makeGauge(
                descriptor: d("incidentd_silences", "Silences by state (expired ones are kept for 5 days)."),
                labels: [("state", state)])
        }
        silences = silenceGauges
        silencedIncidents = r.makeGauge(
            descriptor: d("incidentd_incidents_silenced", "Active incidents whose firing alerts are all muted."))
        incidentsOpened = r.makeGauge(descriptor: d("incidentd_incidents_opened", "Incidents opened since start."))
        incidentsResolved = r.makeGauge(
            descriptor: d("incidentd_incidents_resolved", "Incidents resolved since start."))
        incidentsClosed = r.makeGauge(descriptor: d("incidentd_incidents_closed", "Incidents closed since start."))
        workingIncidents = r.makeGauge(
            descriptor: d("incidentd_engine_incidents", "Incidents in the engine's working set (not closed)."))
        workingAlerts = r.makeGauge(descriptor: d("incidentd_engine_alerts", "Alerts the engine holds."))
        pendingEvents = r.makeGauge(
            descriptor: d("incidentd_engine_pending_events", "Events held by thresholds that are not reached yet."))
        timers = r.makeGauge(descriptor: d("incidentd_engine_timers", "Scheduled engine timers."))
        storeEvents = r.makeGauge(descriptor: d("incidentd_store_events", "Events recorded in the store (retention)."))
        outboxPending = r.makeGauge(descriptor: d("incidentd_outbox_pending", "Notifications not yet delivered."))
        outboxOldestDueSeconds = r.makeGauge(
            descriptor: d("incidentd_outbox_oldest_due_age_seconds", "Age of the oldest due, undelivered notification.")
        )
        ready = r.makeGauge(descriptor: d("incidentd_ready", "1 when every source is open and the store answers."))
        escalationOverdue = r.makeGauge(
            descriptor: d("incidentd_escalation_overdue", "1 while a due notification is older than the threshold."))
    }

    /// Counts a failed commit by the store error's code (`disk_full`, …) and marks the store failing.
    func commitFailed(_ error: any Error, at time: Timestamp = .wallClock()) {
        let failure = commitHealth.failed(error, at: time)
        registry.makeCounter(
            descriptor: d(
                "incidentd_store_commit_failures_total",
                "Transactions that failed, by reason; their sources got errors."),
            labels: [("reason", failure.reason)]
        ).increment()
        commitsFailing.set(Int64(1))
    }

    /// Marks the store committing again.
    func commitSucceeded() {
        commitHealth.succeeded()
        commitsFailing.set(Int64(0))
    }

    /// Records a checkpoint the store took: its size, the commit that carried it, and when.
    func checkpointWritten(bytes: Int, commit: Duration, at time: Timestamp) {
        checkpointsWritten.increment()
        checkpointBytes.set(Int64(bytes))
        checkpointCommitSeconds.set(commit / .seconds(1))
        checkpointWrittenAt.set(time.seconds)
    }

    /// Runs `hook` before each scrape, to copy figures kept elsewhere into gauges.
    func onScrape(_ hook: @escaping @Sendable () -> Void) {
        scrapeHooks.withLock { $0.append(hook) }
    }

    func runScrapeHooks() {
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
    }

    /// A gauge a source's counters are copied into at scrape time.
    func sourceGauge(_ name: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: d(name, help))
    }

    // The registry returns the collector already registered under the same name and labels, so these look
    // their counter up rather than keeping maps of their own.

    /// Events a source handed in, by source.
    public func received(source: String) -> Counter {
        registry.makeCounter(
            descriptor: d("incidentd_events_received_total", "Events decoded from a source and submitted."),
            labels: [("source", source)])
    }

    /// Input a source refused (bad line, bad file, unmappable entry), by source and reason.
    public func rejected(source: String, code: String) -> Counter {
        registry.makeCounter(
            descriptor: d("incidentd_ingest_errors_total", "Input refused with an error, by source and reason."),
            labels: [("source", source), ("code", code)])
    }

    /// Notifications a notifier accepted.
    func delivered(notifier: String) -> Counter {
        registry.makeCounter(
            descriptor: d("incidentd_notifications_delivered_total", "Notifications a notifier accepted."),
            labels: [("notifier", notifier)])
    }

    /// Failed delivery attempts, by notifier and reason (`http_5xx`, `timeout`, `exit_status`, ...).
    func deliveryFailure(notifier: String, reason: String) -> Counter {
        registry.makeCounter(
            descriptor: d(
                "incidentd_notification_failures_total", "Failed delivery attempts, by notifier and reason."),
            labels: [("notifier", notifier), ("reason", reason)])
    }

    /// Notifications given up after their last attempt (their fallback, if any, is queued).
    func givenUp(notifier: String) -> Counter {
        registry.makeCounter(
            descriptor: d("incidentd_notifications_failed_total", "Notifications given up after the last attempt."),
            labels: [("notifier", notifier)])
    }

    func rateLimited(rule: String) -> Counter {
        registry.makeCounter(
            descriptor: d(
                "incidentd_incidents_rate_limited_total",
                "Alerts that would have opened an incident past their rule's rate_limit and joined its gathering incident."
            ),
            labels: [("rule", rule)])
    }

    func dropped(rule: String) -> Counter {
        registry.makeCounter(
            descriptor: d("incidentd_events_dropped_total", "Events discarded by a rule with drop: true."),
            labels: [("rule", rule)])
    }
}

/// A descriptor whose full name is `name` as given (the names already carry their unit suffixes).
private func d(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}

extension Counter {
    func increment(by amount: Int) { increment(by: Int64(amount)) }
}
