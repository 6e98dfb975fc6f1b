import IncidentConfig
import IncidentCore
import IncidentIngest
import IncidentRules
import IncidentStore
import Logging
import ServiceLifecycle

extension DaemonParts {
    /// The journal source with its readiness, metrics, `STATUS=` counts and reload of derived matches. Its cursor
    /// is kept under `key`: `journal`, or `journal:INSTANCE` on a store that several instances share.
    static func journal(
        config: Configuration, ruleSet: RuleSet, sink pipeline: any EventSink, store: any IncidentStore,
        metrics: DaemonMetrics, board: ReadinessBoard, hooks: DaemonHooks, logger: Logger,
        key: String = JournalSource.positionKey
    ) -> any Service {
        let location: JournalSourceConfiguration.Location = config.journal.directory.map { .directory($0) } ?? .local
        let explicit = !config.journal.matches.isEmpty
        let configuration = JournalSourceConfiguration(
            location: location,
            filter: explicit ? .matches(config.journal.matches) : journalFilter(for: ruleSet),
            startAt: config.journal.startAt == .beginning ? .beginning : .end)
        let detail = location.description
        board.problem("journal", "not open yet")
        let source = JournalSource(
            configuration: configuration,
            sink: CountingSink(
                inner: pipeline, metrics: metrics, source: "journal", positionKeys: [JournalSource.positionKey: key]),
            logger: logger,
            storedCursor: { try await store.sourcePosition(key) },
            onHealth: { health in
                board.ready("journal", detail: detail)
                if case .unavailable(let message) = health { board.problem("journal", message) }
            })
        if !explicit {
            // Rules that name new identifiers, units or MESSAGE_IDs widen what is read from the next entry on.
            hooks.onReload { source.update(filter: journalFilter(for: $0)) }
        }
        let read = metrics.sourceGauge(
            "incidentd_journal_entries_read", "Journal entries read (after the matches), mapped or not.")
        let committed = metrics.sourceGauge(
            "incidentd_journal_entries_committed", "Journal entries whose events and cursor are committed.")
        let unmappable = metrics.sourceGauge(
            "incidentd_journal_entries_unmappable", "Journal entries that could not be mapped; counted and skipped.")
        let invalidations = metrics.sourceGauge(
            "incidentd_journal_invalidations", "Journal files added or removed under the reader (rotation, vacuum).")
        let failures = metrics.sourceGauge(
            "incidentd_journal_commit_failures", "Journal batches the store could not commit (read again).")
        let open = metrics.sourceGauge("incidentd_journal_open", "1 while the journal is open and followed.")
        metrics.onScrape {
            let c = source.counters
            read.set(Int64(c.entriesRead))
            committed.set(Int64(c.entriesCommitted))
            unmappable.set(Int64(c.entriesUnmappable))
            invalidations.set(Int64(c.invalidations))
            failures.set(Int64(c.commitFailures))
            open.set(Int64(c.isOpen ? 1 : 0))
        }
        hooks.addStatus {
            let c = source.counters
            return c.isOpen
                ? "journal \(c.entriesCommitted) committed, \(c.entriesUnmappable) skipped"
                : "journal unavailable"
        }
        return source
    }

    /// The default matches of SPEC §3: PRIORITY 0..4, or any identifier, unit or MESSAGE_ID a rule names.
    static func journalFilter(for ruleSet: RuleSet) -> JournalFilter {
        let interest = ruleSet.journalInterest
        return .derived(identifiers: interest.identifiers, units: interest.units, messageIDs: interest.messageIDs)
    }
}
